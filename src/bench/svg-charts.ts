/**
 * Three small SVG charts for the HTML report, as strings: no library, no script, no network. Each
 * chart is a fixed viewBox scaled by CSS; colours come from CSS classes so the page sets the theme.
 */

export interface LineSeries {
  name: string;
  values: readonly number[];
  /** Which y axis the series is read against. */
  axis: 'left' | 'right';
  className: string;
  unit: string;
}

export interface LineChartSpec {
  title: string;
  categories: readonly string[];
  xLabel: string;
  series: readonly LineSeries[];
  /** Index into categories to mark with a vertical rule. */
  marker?: { index: number; label: string };
}

export interface BarSpec {
  label: string;
  value: number;
  className: string;
  note?: string;
}

const W = 640;
const H = 320;
const M = { top: 36, right: 64, bottom: 48, left: 64 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Up to about `count` round tick values covering [0, max]. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

export function formatTick(v: number): string {
  if (v >= 10_000) return `${Number((v / 1000).toPrecision(3))}k`;
  if (v >= 10 || v === 0) return String(Math.round(v));
  return String(Number(v.toPrecision(2)));
}

function frame(title: string, body: string, legend = '', height = H): string {
  return (
    `<svg class="chart" viewBox="0 0 ${W} ${height}" role="img" aria-label="${escapeXml(title)}" xmlns="http://www.w3.org/2000/svg">` +
    `<title>${escapeXml(title)}</title>` +
    `<text class="chart-title" x="${M.left}" y="20">${escapeXml(title)}</text>${legend}${body}</svg>`
  );
}

function yAxis(ticks: number[], side: 'left' | 'right', label: string, className: string): string {
  const top = ticks.at(-1)!;
  const x = side === 'left' ? M.left : M.left + PW;
  const anchor = side === 'left' ? 'end' : 'start';
  const dx = side === 'left' ? -6 : 6;
  const parts = ticks.map((t) => {
    const y = M.top + PH - (t / top) * PH;
    const grid = side === 'left' ? `<line class="grid" x1="${M.left}" x2="${M.left + PW}" y1="${y}" y2="${y}"/>` : '';
    return `${grid}<text class="tick ${className}" x="${x + dx}" y="${y + 4}" text-anchor="${anchor}">${formatTick(t)}</text>`;
  });
  const lx = side === 'left' ? 14 : W - 10;
  const ly = M.top + PH / 2;
  return parts.join('') + `<text class="axis-label ${className}" transform="translate(${lx},${ly}) rotate(-90)" text-anchor="middle">${escapeXml(label)}</text>`;
}

/** A line per series over categorical x (pool sizes), each against its own y axis. */
export function lineChart(spec: LineChartSpec): string {
  const n = spec.categories.length;
  const xAt = (i: number): number => M.left + (n === 1 ? PW / 2 : (i / (n - 1)) * PW);
  const axes: Record<'left' | 'right', number[]> = {
    left: niceTicks(Math.max(0, ...spec.series.filter((s) => s.axis === 'left').flatMap((s) => s.values.filter(Number.isFinite)))),
    right: niceTicks(Math.max(0, ...spec.series.filter((s) => s.axis === 'right').flatMap((s) => s.values.filter(Number.isFinite)))),
  };
  let body = '';
  for (const side of ['left', 'right'] as const) {
    const s = spec.series.find((x) => x.axis === side);
    if (s) body += yAxis(axes[side], side, `${s.name} (${s.unit})`, s.className);
  }
  body += `<line class="axis" x1="${M.left}" x2="${M.left + PW}" y1="${M.top + PH}" y2="${M.top + PH}"/>`;
  body += spec.categories
    .map((c, i) => `<text class="tick" x="${xAt(i)}" y="${M.top + PH + 18}" text-anchor="middle">${escapeXml(c)}</text>`)
    .join('');
  body += `<text class="axis-label" x="${M.left + PW / 2}" y="${H - 8}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`;
  if (spec.marker && spec.marker.index >= 0 && spec.marker.index < n) {
    const x = xAt(spec.marker.index);
    // Label on the side with room: left of the rule when it sits at the right edge.
    const right = x > M.left + PW * 0.8;
    body += `<line class="marker" x1="${x}" x2="${x}" y1="${M.top}" y2="${M.top + PH}"/><text class="marker-label" x="${right ? x - 4 : x + 4}" y="${M.top + 12}" text-anchor="${right ? 'end' : 'start'}">${escapeXml(spec.marker.label)}</text>`;
  }
  for (const s of spec.series) {
    const top = axes[s.axis].at(-1)!;
    const points = s.values.map((v, i) => [xAt(i), M.top + PH - (Number.isFinite(v) ? v / top : 0) * PH] as const);
    const d = points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
    body += `<path class="line ${s.className}" d="${d}"/>`;
    body += points
      .map(([x, y], i) => `<circle class="dot ${s.className}" cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3.5"><title>${escapeXml(`${spec.categories[i]}: ${formatTick(s.values[i]!)} ${s.unit}`)}</title></circle>`)
      .join('');
  }
  const legend = spec.series
    .map((s, i) => `<rect class="swatch ${s.className}" x="${W - M.right - 180 + i * 95}" y="10" width="12" height="12"/><text class="legend" x="${W - M.right - 164 + i * 95}" y="20">${escapeXml(s.name)}</text>`)
    .join('');
  return frame(spec.title, body, legend);
}

/** Latency histogram: one rect per bucket, equal widths (the buckets are log-spaced upstream). */
export function histogramChart(title: string, edges: readonly number[], counts: readonly number[], unit = 'ms'): string {
  const n = counts.length;
  if (n === 0) return frame(title, `<text class="empty" x="${W / 2}" y="${H / 2}" text-anchor="middle">no samples</text>`);
  const ticks = niceTicks(Math.max(...counts));
  const top = ticks.at(-1)!;
  const bw = PW / n;
  let body = yAxis(ticks, 'left', 'queries', '');
  body += counts
    .map((c, i) => {
      const h = (c / top) * PH;
      const label = `${formatTick(edges[i]!)}–${formatTick(edges[i + 1]!)} ${unit}: ${c}`;
      return `<rect class="bar hist" x="${(M.left + i * bw + 1).toFixed(1)}" y="${(M.top + PH - h).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${h.toFixed(1)}"><title>${escapeXml(label)}</title></rect>`;
    })
    .join('');
  body += `<line class="axis" x1="${M.left}" x2="${M.left + PW}" y1="${M.top + PH}" y2="${M.top + PH}"/>`;
  const labelEvery = Math.max(1, Math.ceil(n / 6));
  for (let i = 0; i <= n; i += labelEvery) {
    body += `<text class="tick" x="${(M.left + i * bw).toFixed(1)}" y="${M.top + PH + 18}" text-anchor="middle">${formatTick(edges[i]!)}</text>`;
  }
  body += `<text class="axis-label" x="${M.left + PW / 2}" y="${H - 8}" text-anchor="middle">latency (${unit}, log scale)</text>`;
  return frame(title, body);
}

/** Horizontal bars, one per item, against a shared linear scale; a tiny bar keeps at least 2 px. */
export function barChart(title: string, bars: readonly BarSpec[], unit: string): string {
  const ticks = niceTicks(Math.max(0, ...bars.map((b) => b.value)));
  const top = ticks.at(-1)!;
  const left = 150;
  const width = W - left - 40;
  const rowH = 56;
  const height = M.top + rowH * bars.length + 44;
  let body = ticks
    .map((t) => {
      const x = left + (t / top) * width;
      return `<line class="grid" x1="${x}" x2="${x}" y1="${M.top}" y2="${M.top + rowH * bars.length}"/><text class="tick" x="${x}" y="${M.top + rowH * bars.length + 16}" text-anchor="middle">${formatTick(t)}</text>`;
    })
    .join('');
  body += bars
    .map((b, i) => {
      const y = M.top + i * rowH + rowH * 0.2;
      const w = Math.max(2, (b.value / top) * width);
      const text = `${formatTick(b.value)} ${unit}${b.note ? ` (${b.note})` : ''}`;
      return (
        `<text class="bar-label" x="${left - 8}" y="${(y + rowH * 0.35).toFixed(1)}" text-anchor="end">${escapeXml(b.label)}</text>` +
        `<rect class="bar ${b.className}" x="${left}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${(rowH * 0.6).toFixed(1)}"><title>${escapeXml(text)}</title></rect>` +
        (w > width * 0.6
          ? `<text class="bar-value inside" x="${(left + w - 6).toFixed(1)}" y="${(y + rowH * 0.35).toFixed(1)}" text-anchor="end">${escapeXml(text)}</text>`
          : `<text class="bar-value" x="${(left + w + 6).toFixed(1)}" y="${(y + rowH * 0.35).toFixed(1)}">${escapeXml(text)}</text>`)
      );
    })
    .join('');
  body += `<text class="axis-label" x="${left + width / 2}" y="${height - 6}" text-anchor="middle">${escapeXml(unit)}</text>`;
  return frame(title, body, '', height);
}
