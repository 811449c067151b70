import type { BenchRun } from './result.js';
import { toJson } from './result.js';
import { formatMs, formatRate, type RunStats } from './scenarios.js';
import { barChart, escapeXml, histogramChart, lineChart } from './svg-charts.js';

/**
 * One self-contained HTML page: inline CSS and inline SVG, no script, nothing fetched. The raw
 * figures ride along as JSON in a non-executed <script type="application/json"> for tooling.
 */
export function renderHtmlReport(run: BenchRun): string {
  const sections: string[] = [];
  const sweep = run.sweep;
  if (sweep && sweep.steps.length > 0) {
    const knee = sweep.knee;
    const kneeIndex = knee ? sweep.steps.findIndex((s) => s.poolSize === knee.poolSize) : -1;
    sections.push(
      section(
        'Pool-size sweep',
        `${sweep.workers} concurrent workers running <code>${escapeXml(sweep.sql)}</code> for a fixed time per pool size.` +
          (knee
            ? ` The <b>knee is at pool size ${knee.poolSize}</b>: the smallest size reaching ${Math.round(knee.threshold * 100)}% of the best throughput (${formatRate(knee.maxQps)} q/s at size ${knee.maxAtPoolSize}). ` +
              (knee.atLargest
                ? 'Throughput was still rising at the largest size tried, so the database was not saturated: the true knee may be higher (try larger --sizes, or a statement that works the database harder).'
                : 'Larger pools buy little throughput and cost tail latency and database memory.')
            : ''),
        lineChart({
          title: 'Throughput and p99 latency vs pool size',
          categories: sweep.steps.map((s) => String(s.poolSize)),
          xLabel: 'pool size',
          series: [
            { name: 'throughput', values: sweep.steps.map((s) => s.qps), axis: 'left', className: 's-qps', unit: 'q/s' },
            { name: 'p99', values: sweep.steps.map((s) => s.latency.p99), axis: 'right', className: 's-p99', unit: 'ms' },
          ],
          marker: kneeIndex >= 0 ? { index: kneeIndex, label: 'knee' } : undefined,
        }),
        table(
          ['pool size', 'q/s', 'p50', 'p95', 'p99', 'mean hold'],
          sweep.steps.map((s) => [String(s.poolSize), formatRate(s.qps), formatMs(s.latency.p50), formatMs(s.latency.p95), formatMs(s.latency.p99), formatMs(s.meanHoldMs)]),
          sweep.steps.map((s) => s.poolSize === knee?.poolSize),
        ),
      ),
    );
  }

  const dist = latencySource(run);
  if (dist) {
    sections.push(
      section(
        'Latency distribution',
        `${escapeXml(dist.label)}: ${dist.stats.queries} queries, p50 ${formatMs(dist.stats.latency.p50)}, p95 ${formatMs(dist.stats.latency.p95)}, p99 ${formatMs(dist.stats.latency.p99)}, max ${formatMs(dist.stats.latency.max)}.`,
        histogramChart(`Latency histogram (${dist.label})`, dist.stats.histogram.edges, dist.stats.histogram.counts),
      ),
    );
  }

  const pvn = run.poolVsNone;
  if (pvn) {
    sections.push(
      section(
        'Pool vs no pool',
        `<code>${escapeXml(pvn.sql)}</code> one at a time, through a pool of one connection and through the null pool (connect, authenticate, query and disconnect every time). <b>${pvn.speedup.toFixed(1)}x</b> faster with a pool.`,
        barChart(
          'Sequential throughput: pool vs no pool',
          [
            { label: 'pool', value: pvn.pooled.qps, className: 'b-pool', note: `mean ${formatMs(pvn.pooled.latency.mean)}` },
            { label: 'no pool', value: pvn.unpooled.qps, className: 'b-none', note: `mean ${formatMs(pvn.unpooled.latency.mean)}` },
          ],
          'q/s',
        ),
      ),
    );
  }

  const load = run.load;
  if (load) {
    sections.push(
      section(
        'Load test',
        `${load.workers} workers x ${Math.round(load.queries / load.workers)} queries through a pool of ${load.poolSize}, <code>${escapeXml(load.sql)}</code>.`,
        table(
          ['q/s', 'mean', 'p50', 'p95', 'p99', 'max', 'busy connections', 'max waiting'],
          [[formatRate(load.qps), formatMs(load.latency.mean), formatMs(load.latency.p50), formatMs(load.latency.p95), formatMs(load.latency.p99), formatMs(load.latency.max), load.meanInUse.toFixed(1), String(load.maxPending)]],
        ),
      ),
    );
  }

  const db = run.database;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>havuz bench report</title>
<style>${CSS}</style></head>
<body><main>
<h1>havuz bench</h1>
<p class="meta">${escapeXml(db.url)}${db.embedded ? ' (throwaway embedded PostgreSQL)' : ''}${db.version ? ` · ${escapeXml(db.version)}` : ''} · ${escapeXml(run.startedAt)}${run.quick ? ' · quick run' : ''}</p>
${sections.join('\n')}
<script type="application/json" id="havuz-bench-data">${JSON.stringify(toJson(run)).replace(/</g, '\\u003c')}</script>
</main></body></html>
`;
}

function latencySource(run: BenchRun): { label: string; stats: RunStats } | undefined {
  if (run.load) return { label: `load test, pool size ${run.load.poolSize}`, stats: run.load };
  const sweep = run.sweep;
  if (sweep && sweep.steps.length > 0) {
    const step = sweep.steps.find((s) => s.poolSize === sweep.knee?.poolSize) ?? sweep.steps.at(-1)!;
    return { label: `sweep, pool size ${step.poolSize}`, stats: step };
  }
  if (run.poolVsNone) return { label: 'pooled, sequential', stats: run.poolVsNone.pooled };
  return undefined;
}

function section(title: string, intro: string, ...content: string[]): string {
  return `<section><h2>${escapeXml(title)}</h2><p>${intro}</p>${content.join('\n')}</section>`;
}

function table(headers: string[], rows: string[][], highlight: boolean[] = []): string {
  const head = headers.map((h) => `<th>${escapeXml(h)}</th>`).join('');
  const body = rows
    .map((r, i) => `<tr${highlight[i] ? ' class="knee"' : ''}>${r.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`)
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

const CSS = `
:root{--fg:#1d2330;--muted:#5b6474;--bg:#fff;--grid:#e4e7ec;--qps:#2563eb;--p99:#d9480f;--pool:#2f9e44;--none:#868e96;--hist:#7048e8}
@media (prefers-color-scheme:dark){:root{--fg:#e6e8ee;--muted:#9aa3b2;--bg:#12151c;--grid:#2a303c}}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
main{max-width:860px;margin:0 auto;padding:24px}
h1{margin:0 0 4px}.meta{color:var(--muted);margin-top:0}
section{margin:32px 0}code{font-size:13px}
.chart{width:100%;height:auto;display:block;margin:12px 0}
.chart text{fill:var(--fg);font-size:12px}.chart .chart-title{font-weight:600;font-size:14px}
.chart .tick,.chart .axis-label{fill:var(--muted)}
.grid{stroke:var(--grid)}.axis{stroke:var(--muted)}
.line{fill:none;stroke-width:2.5}.s-qps.line{stroke:var(--qps)}.s-p99.line{stroke:var(--p99)}
.dot.s-qps,.swatch.s-qps{fill:var(--qps)}.dot.s-p99,.swatch.s-p99{fill:var(--p99)}
.chart text.s-qps{fill:var(--qps)}.chart text.s-p99{fill:var(--p99)}
.marker{stroke:var(--muted);stroke-dasharray:4 4}
.bar.hist{fill:var(--hist)}.bar.b-pool{fill:var(--pool)}.bar.b-none{fill:var(--none)}
.chart .bar-value.inside{fill:#fff}
table{border-collapse:collapse;margin:8px 0}th,td{padding:4px 12px;text-align:right;border-bottom:1px solid var(--grid)}
th:first-child,td:first-child{text-align:left}tr.knee td{font-weight:700}
`;
