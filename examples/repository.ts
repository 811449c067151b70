// A repository over the engine: get, create and bulk create, each on a pooled connection.
// Run: node --import tsx examples/repository.ts [postgresql://postgres@127.0.0.1:5432/test]
import { createEngine, DatabaseError, type Engine } from 'havuz';

interface Product {
  id: number;
  sku: string;
  price: string;
}

class ProductRepository {
  constructor(private readonly db: Engine) {}

  async get(id: number): Promise<Product | undefined> {
    const { rows } = await this.db.query<Product>('SELECT id, sku, price FROM ex_products WHERE id = $1', [id]);
    return rows[0];
  }

  async create(sku: string, price: number): Promise<Product> {
    const { rows } = await this.db.query<Product>('INSERT INTO ex_products (sku, price) VALUES ($1, $2) RETURNING id, sku, price', [sku, price]);
    return rows[0]!;
  }

  /** All or nothing: one transaction, one multi-row INSERT. */
  async bulkCreate(items: { sku: string; price: number }[]): Promise<number> {
    return this.db.transaction(async (tx) => {
      const values = items.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ');
      const result = await tx.query(`INSERT INTO ex_products (sku, price) VALUES ${values}`, items.flatMap((p) => [p.sku, p.price]));
      return result.rowCount;
    });
  }
}

const url = process.argv[2] ?? 'postgresql://postgres@127.0.0.1:5432/test';
const db = createEngine(url, { size: 5 });
try {
  await db.query('DROP TABLE IF EXISTS ex_products');
  await db.query('CREATE TABLE ex_products (id SERIAL PRIMARY KEY, sku TEXT UNIQUE NOT NULL, price NUMERIC(10,2) NOT NULL)');
  const repo = new ProductRepository(db);
  const created = await repo.create('SKU-1', 9.99);
  const fetched = await repo.get(created.id);
  const bulk = await repo.bulkCreate(Array.from({ length: 100 }, (_, i) => ({ sku: `BULK-${i}`, price: i })));
  let duplicate = 'none';
  try {
    await repo.bulkCreate([{ sku: 'NEW-1', price: 1 }, { sku: 'SKU-1', price: 2 }]);
  } catch (error) {
    if (error instanceof DatabaseError) duplicate = error.serverCode ?? 'unknown';
  }
  const count = await db.query<{ n: string }>('SELECT COUNT(*) AS n FROM ex_products');
  console.log(JSON.stringify({ fetched: fetched?.sku, bulk, duplicate, total: Number(count.rows[0]!.n) }));
  await db.query('DROP TABLE ex_products');
} finally {
  await db.close();
}
