export { Dashboard, dashboardHandler, expressDashboard, type DashboardOptions } from './handler.js';
export { DashboardHub, type DashboardStreamOptions, type PoolInfo } from './hub.js';
export { PoolFeed, MAX_EVENTS, type PoolPoint, type FeedEvent, type FeedEventKind, type PoolConfig } from './pool-feed.js';
export { serveDashboard, type ServeDashboardOptions, type ServedDashboard } from './serve.js';
export { renderDashboardPage } from './page.js';
