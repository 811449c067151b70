/**
 * The database client metrics of the OpenTelemetry semantic conventions (database-metrics.md):
 * names, instrument units and descriptions exactly as specified. The connection-pool metrics are
 * still "Experimental" there and `db.client.operation.duration` is a "Release Candidate", so a
 * later convention may rename them: this is the one place to change.
 */
const metric = <N extends string>(name: N, unit: string, description: string) => ({ name, options: { unit, description } }) as const;

export const SEMCONV = {
  operationDuration: metric('db.client.operation.duration', 's', 'Duration of database client operations.'),
  count: metric('db.client.connection.count', '{connection}', 'The number of connections that are currently in state described by the `state` attribute'),
  idleMax: metric('db.client.connection.idle.max', '{connection}', 'The maximum number of idle open connections allowed'),
  idleMin: metric('db.client.connection.idle.min', '{connection}', 'The minimum number of idle open connections allowed'),
  max: metric('db.client.connection.max', '{connection}', 'The maximum number of open connections allowed'),
  pendingRequests: metric('db.client.connection.pending_requests', '{request}', 'The number of current pending requests for an open connection'),
  timeouts: metric('db.client.connection.timeouts', '{timeout}', 'The number of connection timeouts that have occurred trying to obtain a connection from the pool'),
  createTime: metric('db.client.connection.create_time', 's', 'The time it took to create a new connection'),
  waitTime: metric('db.client.connection.wait_time', 's', 'The time it took to obtain an open connection from the pool'),
  useTime: metric('db.client.connection.use_time', 's', 'The time between borrowing a connection and returning it to the pool'),
};

/** The boundaries the conventions give for `db.client.operation.duration`. */
export const OPERATION_DURATION_BUCKETS_S: number[] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

/** The conventions give none for the pool's times: havuz's own, from a pooled checkout (0.1 ms) to an acquire timeout (30 s). */
export const POOL_TIME_BUCKETS_S: number[] = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
