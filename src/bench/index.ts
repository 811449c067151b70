export { startEmbeddedPostgres, EmbeddedPostgresError, type EmbeddedPostgres, type EmbeddedPostgresOptions, type Cleanup, type CleanupHook } from './embedded-postgres.js';
export { poolVsNone, loadTest, sweep, measure, type TargetMaker, type RunHooks, type RunStats, type PoolVsNoneResult, type LoadResult, type SweepResult, type SweepStep } from './scenarios.js';
export { findKnee, DEFAULT_KNEE_THRESHOLD, type Knee, type SweepPoint } from './knee.js';
export { LatencyRecorder, percentile, summarize, histogram, type LatencySummary, type Histogram } from './latency.js';
export { toJson, type BenchRun } from './result.js';
export { renderBenchTables, renderTable } from './table.js';
export { renderHtmlReport } from './report-html.js';
export { streamProgress, silentProgress, type ProgressSink } from './progress.js';
export { makeTarget, redactUrl, dialectOf, type BenchTarget, type TargetOptions, type Dialect } from './target.js';
