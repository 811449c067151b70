export { DatabaseManager, createManager, type DatabaseSpec, type DatabaseOf, type DatabaseOfUrl, type ManagerOptions } from './manager.js';
export type { ManagedDatabase } from './database.js';
export { RedisDatabase, type RedisDatabaseOptions } from './redis.js';
export { MongoDatabase, type MongoDatabaseOptions } from './mongo.js';
export { CmapPool, CMAP_EVENTS, type CmapEvent, type CmapEventName } from './cmap.js';
export type { ManagerHealth, DatabaseHealth, ManagerHealthOptions } from './health.js';
export { installShutdownHandlers, type ShutdownOptions, type ShutdownHandle, type ShutdownResult, type Closable, type Stopper } from './shutdown.js';
