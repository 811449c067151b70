// An ordinary node-postgres program, moved to havuz by changing one line: its import. Everything
// below it is written for pg.Pool (its config, connect/release, BEGIN/COMMIT, callbacks, the
// 'error' event, end()), and test/examples runs it both ways and compares the output.
// Run: node --import tsx examples/pg-pool-program.ts [postgresql://postgres@127.0.0.1:5432/test] [table]
import { PgPool as Pool } from 'havuz/compat'; // was: import pg from 'pg'; const { Pool } = pg;

const connectionString = process.argv[2] ?? 'postgresql://postgres@127.0.0.1:5432/test';
const table = process.argv[3] ?? 'orders';

const pool = new Pool({ connectionString, max: 5, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000 });
pool.on('error', (err) => console.error('idle client error', err.message));

async function placeOrder(customer: string, items: { sku: string; qty: number }[]): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(`INSERT INTO ${table} (customer) VALUES ($1) RETURNING id`, [customer]);
    for (const item of items) {
      if (item.qty <= 0) throw new Error(`bad quantity for ${item.sku}`);
      await client.query(`INSERT INTO ${table}_items (order_id, sku, qty) VALUES ($1, $2, $3)`, [rows[0].id, item.sku, item.qty]);
    }
    await client.query('COMMIT');
    return rows[0].id;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}

function countItems(callback: (err: Error | undefined, count?: number) => void): void {
  pool.query(`SELECT sum(qty)::int AS n FROM ${table}_items`, (err: Error | undefined, res: { rows: { n: number }[] }) => {
    if (err) return callback(err);
    callback(undefined, res.rows[0]!.n);
  });
}

try {
  await pool.query(`CREATE TABLE ${table} (id serial PRIMARY KEY, customer text NOT NULL)`);
  await pool.query(`CREATE TABLE ${table}_items (order_id int REFERENCES ${table}(id), sku text, qty int)`);

  await placeOrder('ada', [{ sku: 'tea', qty: 2 }, { sku: 'cake', qty: 1 }]);
  const refused = await placeOrder('bob', [{ sku: 'tea', qty: 1 }, { sku: 'cake', qty: 0 }]).catch((err: Error) => err.message);
  await Promise.all(Array.from({ length: 20 }, (_, i) => placeOrder(`c${i}`, [{ sku: 'tea', qty: 1 }])));

  const items = await new Promise<number | undefined>((resolve, reject) => countItems((err, n) => (err ? reject(err) : resolve(n))));
  const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${table}`);
  console.log(JSON.stringify({ orders: rows[0].n, items, refused, open: pool.totalCount <= 5, waiting: pool.waitingCount }));
} finally {
  await pool.query(`DROP TABLE IF EXISTS ${table}_items, ${table}`);
  await pool.end();
}
