/**
 * havuz/otel: the pools and engines as OpenTelemetry metrics, named, typed and labelled as the
 * database client semantic conventions say (`db.client.connection.*`, `db.client.operation.duration`).
 * `@opentelemetry/api` is an optional peer dependency: only this entry point imports it.
 */
import { metrics, type Attributes, type BatchObservableResult, type Histogram, type MeterProvider } from '@opentelemetry/api';
import { InvalidOptionError } from '../core/errors.js';
import { registryOf, type MetricsRegistry } from '../monitor/registry.js';
import type { PoolCollector } from '../monitor/collector.js';
import type { MonitoredEngine, MonitorTarget } from '../monitor/source.js';
import { engineAttributes, operationAttributes } from './attributes.js';
import { SEMCONV as N, OPERATION_DURATION_BUCKETS_S, POOL_TIME_BUCKETS_S } from './names.js';

export { SEMCONV, OPERATION_DURATION_BUCKETS_S, POOL_TIME_BUCKETS_S } from './names.js';

export interface OpenTelemetryOptions {
  /** Default: the global provider (`metrics.getMeterProvider()`), i.e. whatever the SDK registered. */
  meterProvider?: MeterProvider;
  /** Default true: also record `db.client.operation.duration` for every engine statement. */
  operations?: boolean;
}

export interface Instrumentation {
  /** Stops recording and observing; the pools and engines stay open. */
  stop(): void;
}

const POOL = 'db.client.connection.pool.name';
const STATE = 'db.client.connection.state';

/**
 * Exports every pool of `target` (a MetricsRegistry, an engine, a pool, or several) through the
 * OpenTelemetry metrics API. Gauges are observed at each collection; the three time histograms
 * (seconds) and the operation duration are recorded as events happen. With a registry, pools
 * added to it later are exported too.
 */
export function instrumentOpenTelemetry(target: MetricsRegistry | MonitorTarget | Iterable<MonitorTarget>, options: OpenTelemetryOptions = {}): Instrumentation {
  const provider = options.meterProvider ?? metrics.getMeterProvider();
  if (typeof provider?.getMeter !== 'function') throw new InvalidOptionError('meterProvider', provider, 'an OpenTelemetry MeterProvider');
  const registry = registryOf(target);
  const meter = provider.getMeter('havuz');
  const count = meter.createObservableUpDownCounter(N.count.name, N.count.options);
  const idleMax = meter.createObservableUpDownCounter(N.idleMax.name, N.idleMax.options);
  const idleMin = meter.createObservableUpDownCounter(N.idleMin.name, N.idleMin.options);
  const max = meter.createObservableUpDownCounter(N.max.name, N.max.options);
  const pending = meter.createObservableUpDownCounter(N.pendingRequests.name, N.pendingRequests.options);
  const timeouts = meter.createObservableCounter(N.timeouts.name, N.timeouts.options);
  const poolTime = { advice: { explicitBucketBoundaries: POOL_TIME_BUCKETS_S } };
  const createTime = meter.createHistogram(N.createTime.name, { ...N.createTime.options, ...poolTime });
  const waitTime = meter.createHistogram(N.waitTime.name, { ...N.waitTime.options, ...poolTime });
  const useTime = meter.createHistogram(N.useTime.name, { ...N.useTime.options, ...poolTime });
  const duration =
    options.operations === false
      ? undefined
      : meter.createHistogram(N.operationDuration.name, { ...N.operationDuration.options, advice: { explicitBucketBoundaries: OPERATION_DURATION_BUCKETS_S } });

  const attached = new Map<PoolCollector, () => void>();
  const observe = (result: BatchObservableResult) => {
    for (const collector of attached.keys()) {
      const pool = collector.pool;
      const s = pool.status();
      const o = pool.options;
      const attrs = { [POOL]: pool.name };
      result.observe(count, s.idle, { ...attrs, [STATE]: 'idle' });
      result.observe(count, s.inUse, { ...attrs, [STATE]: 'used' });
      result.observe(idleMax, o.size, attrs); // overflow connections close on return: at most `size` stay idle
      result.observe(idleMin, o.minIdle, attrs);
      result.observe(max, s.max, attrs);
      result.observe(pending, s.pending, attrs);
      result.observe(timeouts, s.counters.timeouts, attrs);
    }
  };
  meter.addBatchObservableCallback(observe, [count, idleMax, idleMin, max, pending, timeouts]);

  const unwatch = registry.watch({
    add(collector) {
      const pool = collector.pool;
      const attrs: Attributes = { [POOL]: pool.name };
      const offs = [
        pool.on('connect', (e) => createTime.record(e.durationMs / 1000, attrs)),
        pool.on('checkout', (e) => waitTime.record(e.waitMs / 1000, attrs)),
        pool.on('checkin', (e) => useTime.record(e.heldMs / 1000, attrs)),
      ];
      if (duration !== undefined && collector.engine !== undefined) offs.push(recordOperations(collector.engine, duration));
      attached.set(collector, () => offs.forEach((off) => off()));
    },
    remove(collector) {
      attached.get(collector)?.();
      attached.delete(collector);
    },
  });

  return {
    stop() {
      unwatch();
      meter.removeBatchObservableCallback(observe, [count, idleMax, idleMin, max, pending, timeouts]);
      for (const off of attached.values()) off();
      attached.clear();
    },
  };
}

function recordOperations(engine: MonitoredEngine, duration: Histogram): () => void {
  const base = engineAttributes(engine);
  return engine.on('query', (e) => duration.record(e.durationMs / 1000, operationAttributes(base, e.sql, e.error)));
}
