export { Engine, type EngineOptions, type EngineEventMap, type PipelineOption, type PoolClass } from './engine.js';
export { createEngine } from './create.js';
export type { QueryEvent, QueryListener } from './query-events.js';
export type { EchoOption, EchoPoolOption } from './echo.js';
export type { RouteOptions, ConnectOptions, TransactionOptions } from './routing.js';
export { TopologyEngine, type TopologyEngineOptions, type TopologyStatus } from './topology/topology-engine.js';
export type { TopologyOptions, TargetSessionAttrs } from './topology/options.js';
export type { HostStatus, TopologyHost, HostRole } from './topology/member.js';
export type { RoleChangeEvent } from './topology/events.js';
export { parseTopologyUrl, type HostAddress } from './topology/hosts.js';
export { Connection } from './connection.js';
export { DatabaseError, StatementTimeoutError, ConnectionLostError, InvalidUrlError } from '../core/errors.js';
export { parseDatabaseUrl } from './url.js';
export { redactUrl } from './redact.js';
export type { InitContext } from './factory.js';
export type { QueryResult } from '../drivers/dialect.js';
// The two pool errors a query can meet, under the names an engine user looks for.
export { AcquireTimeoutError as PoolTimeoutError, CreateFailedError as ConnectError } from '../core/errors.js';
export { havuzErrorOf } from '../drivers/driver-error.js';
