export { Histogram, DEFAULT_BUCKETS_MS, type HistogramSnapshot } from './histogram.js';
export { PoolCollector, type PoolMetrics } from './collector.js';
export { MetricsRegistry, registryOf, type RegistryWatcher } from './registry.js';
export { poolFamilies, type Family, type Sample } from './families.js';
export { prometheusText, renderFamilies, PROMETHEUS_CONTENT_TYPE } from './prometheus.js';
export { registerPromClient, type PromClientRegistry } from './prom-client.js';
export { checkHealth, checkAllHealth, poolHealth, type HealthReport, type HealthOptions, type OverallHealth, type PoolHealth } from './health.js';
export { gradePool, worst, type HealthStatus, type HealthReason, type HealthReasonCode, type GradeOptions } from './grade.js';
export { MonitorRoutes, monitorHandler, expressMonitor, type MonitorRoutesOptions, type RouteAnswer, type ServedPromRegistry } from './routes.js';
export { PoolMonitor, type PoolMonitorOptions } from './pool-monitor.js';
export { HavuzHealthIndicator, type IndicatorResult } from './nest.js';
export { sourceOf, type MonitoredPool, type MonitoredEngine, type MonitorTarget } from './source.js';
export type { Recent } from './recent.js';
export { hostCollectors, topologyFamilies } from './topology.js';
export {
  Dashboard,
  dashboardHandler,
  expressDashboard,
  serveDashboard,
  type DashboardOptions,
  type ServeDashboardOptions,
  type ServedDashboard,
  type PoolPoint,
  type FeedEvent,
} from './dashboard/index.js';
