// Pooled user lookup: one engine per process, a query per request, the pool does the rest.
// Run: node --import tsx examples/user-lookup.ts [postgresql://postgres@127.0.0.1:5432/test]
import { createEngine } from 'havuz';

const url = process.argv[2] ?? 'postgresql://postgres@127.0.0.1:5432/test';
const db = createEngine(url, { size: 5, acquireTimeoutMs: 5_000, initSql: "SET timezone='UTC'" });

try {
  await db.query('CREATE TABLE IF NOT EXISTS ex_users (id SERIAL PRIMARY KEY, email TEXT UNIQUE NOT NULL)');
  await db.query("INSERT INTO ex_users (email) VALUES ('ada@example.com') ON CONFLICT (email) DO NOTHING");

  async function findUser(email: string) {
    const { rows } = await db.query<{ id: number; email: string }>('SELECT id, email FROM ex_users WHERE email = $1', [email]);
    return rows[0];
  }

  // 50 concurrent lookups share 5 connections.
  const found = await Promise.all(Array.from({ length: 50 }, () => findUser('ada@example.com')));
  const status = db.status();
  console.log(JSON.stringify({ found: found.filter(Boolean).length, opened: status.counters.created, max: status.max }));
} finally {
  await db.close();
}
