import { DASHBOARD_JS } from './client.js';
import { UPLOT_CSS, UPLOT_JS } from './uplot-assets.js';

const STYLE = `
:root { color-scheme: light dark; --bg: #f8f9fa; --card: #fff; --fg: #212529; --muted: #868e96; --line: #dee2e6; }
@media (prefers-color-scheme: dark) { :root { --bg: #16181d; --card: #1f2229; --fg: #e9ecef; --muted: #8b929a; --line: #343a40; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: var(--bg); color: var(--fg); }
body > header { display: flex; gap: 1em; align-items: baseline; padding: 10px 16px; border-bottom: 1px solid var(--line); }
body > header h1 { font-size: 18px; margin: 0; }
#stream-status { font-size: 12px; padding: 1px 8px; border-radius: 8px; background: var(--line); }
#stream-status.live { background: #2f9e44; color: #fff; }
#stream-status.reconnecting { background: #f08c00; color: #fff; }
#pools { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 12px; padding: 12px; }
.pool { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; min-width: 0; }
.pool.gone { opacity: 0.5; }
.pool header { display: flex; justify-content: space-between; align-items: center; }
.pool h2 { font-size: 16px; margin: 0; overflow-wrap: anywhere; }
.pool h3 { font-size: 13px; margin: 8px 0 4px; color: var(--muted); }
.badge { font-size: 12px; padding: 1px 8px; border-radius: 8px; background: var(--line); }
.badge.healthy { background: #2f9e44; color: #fff; }
.badge.degraded { background: #f08c00; color: #fff; }
.badge.unhealthy { background: #e03131; color: #fff; }
.reasons { min-height: 1.4em; font-size: 12px; color: #e8590c; }
.stats { display: grid; grid-template-columns: repeat(auto-fill, minmax(90px, 1fr)); gap: 4px 8px; margin: 6px 0; }
.stats div { display: flex; flex-direction: column-reverse; }
.stats dt { font-size: 11px; color: var(--muted); }
.stats dd { margin: 0; font-size: 16px; font-variant-numeric: tabular-nums; }
.chart { margin-top: 4px; }
.config table { font-size: 12px; border-collapse: collapse; }
.config th { text-align: left; font-weight: normal; color: var(--muted); padding-right: 1em; }
.events { list-style: none; margin: 0; padding: 0; max-height: 180px; overflow: auto; font-size: 12px; }
.event { border-top: 1px solid var(--line); padding: 2px 0; overflow-wrap: anywhere; }
.event time { color: var(--muted); }
.event.leak b, .event.connect-failed b, .event.timeout b { color: #e03131; }
.event.recovered b { color: #2f9e44; }
.event pre { font-size: 11px; white-space: pre-wrap; margin: 2px 0; }
.u-title { font-size: 12px !important; font-weight: normal !important; color: var(--muted); }
`;

/** What the browser may do with the page: run its own inline code, talk to its own origin, nothing else. */
export const PAGE_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'";

/** The whole page in one response: uPlot and the dashboard's script inline, so it needs no other request but the stream. */
export function renderDashboardPage(title = 'havuz pools'): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${UPLOT_CSS}</style>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><span id="stream-status">connecting</span></header>
<main id="pools"></main>
<script>${UPLOT_JS}</script>
<script>${DASHBOARD_JS}</script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
