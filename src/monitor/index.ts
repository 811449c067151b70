export { Histogram, DEFAULT_BUCKETS_MS, type HistogramSnapshot } from './histogram.js';
export { PoolCollector, type PoolMetrics } from './collector.js';
export { prometheusText, PROMETHEUS_CONTENT_TYPE } from './prometheus.js';
export { checkHealth, monitorHandler, type HealthReport, type HealthOptions } from './health.js';
export { hostCollectors, topologyPrometheusText } from './topology.js';
