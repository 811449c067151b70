// The seed's transaction: create a user and its audit-log row together, or neither.
// Run: node --import tsx examples/transaction-audit.ts [postgresql://postgres@127.0.0.1:5432/test]
import { createEngine } from 'havuz';

const url = process.argv[2] ?? 'postgresql://postgres@127.0.0.1:5432/test';
const db = createEngine(url, { size: 2 });

async function createUserWithAudit(email: string, action: string | null): Promise<number> {
  return db.transaction(async (tx) => {
    const user = await tx.query<{ id: number }>('INSERT INTO ex_tx_users (email) VALUES ($1) RETURNING id', [email]);
    const id = user.rows[0]!.id;
    await tx.query('INSERT INTO ex_tx_audit (user_id, action) VALUES ($1, $2)', [id, action]);
    return id;
  });
}

try {
  await db.query('DROP TABLE IF EXISTS ex_tx_audit, ex_tx_users');
  await db.query('CREATE TABLE ex_tx_users (id SERIAL PRIMARY KEY, email TEXT NOT NULL)');
  await db.query('CREATE TABLE ex_tx_audit (id SERIAL PRIMARY KEY, user_id INT NOT NULL REFERENCES ex_tx_users(id), action TEXT NOT NULL)');
  await createUserWithAudit('ok@example.com', 'signup');
  let rolledBack = false;
  try {
    await createUserWithAudit('broken@example.com', null); // NOT NULL violation in the second insert
  } catch {
    rolledBack = true;
  }
  const users = await db.query<{ email: string }>('SELECT email FROM ex_tx_users ORDER BY id');
  const audit = await db.query<{ n: string }>('SELECT COUNT(*) AS n FROM ex_tx_audit');
  console.log(JSON.stringify({ rolledBack, users: users.rows.map((r) => r.email), audit: Number(audit.rows[0]!.n) }));
  await db.query('DROP TABLE ex_tx_audit, ex_tx_users');
} finally {
  await db.close();
}
