import { Engine } from '../engine/engine.js';
import type { MongoDatabase } from './mongo.js';
import type { RedisDatabase } from './redis.js';

/** What a manager holds under each name. */
export type ManagedDatabase = Engine<any> | RedisDatabase<any> | MongoDatabase<any>;

/** postgres, mysql, sqlite, redis or mongodb. */
export function kindOf(database: ManagedDatabase): string {
  return database instanceof Engine ? database.dialect : database.kind;
}
