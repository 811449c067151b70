// The OpenTelemetry SDK's in-memory exporter behind a reader that exports only when asked: a
// collection is `await collect()`, never a timer.
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics';

export { DataPointType };

export function memoryMeter() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  /** Every metric of one collection, by name. */
  async function collect(): Promise<Map<string, MetricData>> {
    exporter.reset();
    await reader.forceFlush();
    const out = new Map<string, MetricData>();
    for (const resource of exporter.getMetrics()) {
      for (const scope of resource.scopeMetrics) for (const metric of scope.metrics) out.set(metric.descriptor.name, metric);
    }
    return out;
  }
  return { meterProvider, collect, shutdown: () => meterProvider.shutdown() };
}

/** The data point whose attributes include all of `attributes`. */
export function pointOf(metric: MetricData | undefined, attributes: Record<string, unknown>) {
  return metric?.dataPoints.find((p: { attributes: Record<string, unknown> }) =>
    Object.entries(attributes).every(([k, v]) => p.attributes[k] === v),
  ) as { attributes: Record<string, unknown>; value: any } | undefined;
}
