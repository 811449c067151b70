export { Pool } from './pool.js';
export type { AcquireOptions, CloseOptions, ConnectionPool, PoolClassSettings } from './contract.js';
export { Pool as QueuePool } from './pool.js';
export { NullPool } from './pools/null.js';
export { StaticPool, type StaticPoolOptions } from './pools/static.js';
export { ContextPool } from './pools/context.js';
export { AssertionPool } from './pools/assertion.js';
export { Lease } from './lease.js';
export type { Factory, CreateContext } from './factory.js';
export { defaults, resolvePoolOptions, type PoolOptions, type ResolvedPoolOptions, type Logger } from './options.js';
export { channelNames, type PoolEventMap, type PoolEventName, type CloseReason, type ErrorPhase } from './events.js';
export type { PoolStatus, PoolCounters } from './stats.js';
export { systemClock, type Clock, type TimerHandle } from './clock.js';
export {
  HavuzError,
  InvalidOptionError,
  AcquireTimeoutError,
  AcquireAbortedError,
  PoolClosedError,
  PoolDrainingError,
  CreateFailedError,
  QueueFullError,
  LeaseError,
  ConcurrentCheckoutError,
  DriverMissingError,
  DatabaseError,
  StatementTimeoutError,
  ConnectionLostError,
  UnhealthyError,
  ErrorCodes,
  type ErrorCode,
} from './errors.js';
