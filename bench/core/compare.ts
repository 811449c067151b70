import { formatRatio, renderTable } from '../lib/stats.js';
import { libraries, type Library } from './adapters.js';
import { fastestPeer, SPEEDUP_TARGET, type Medians } from './report.js';

/** Back-to-back runs of the same bench should agree this closely, library by library. */
export const AGREEMENT_TARGET = 0.1;

export interface Comparison {
  text: string;
  /** Every median of the second run within AGREEMENT_TARGET of the first's. */
  agree: boolean;
  /** havuz >= SPEEDUP_TARGET x the fastest peer in every scenario, in both runs. */
  ratiosHold: boolean;
}

/**
 * Two `--json` outputs side by side: each library's second median over its first (within 10%?),
 * and havuz ÷ fastest peer in each run (2x or more in both?).
 */
export function compareRuns(a: Medians, b: Medians): Comparison {
  const present = libraries.filter((lib) => Object.values(a).some((rates) => rates[lib] !== undefined));
  let agree = true;
  let ratiosHold = true;
  const rows = Object.keys(a)
    .filter((name) => b[name] !== undefined)
    .map((name) => {
      const cells = present.map((lib: Library) => {
        const x = a[name]![lib];
        const y = b[name]![lib];
        if (x === undefined || y === undefined) return '-';
        const ok = Math.abs(y / x - 1) <= AGREEMENT_TARGET;
        agree &&= ok;
        return `${formatRatio(y / x)}${ok ? '' : ' !'}`;
      });
      const ratios = [a[name]!, b[name]!].map((rates) => {
        const best = fastestPeer(rates);
        return rates.havuz === undefined || best === undefined ? undefined : rates.havuz / best.rate;
      });
      const held = ratios.every((r) => r !== undefined && r >= SPEEDUP_TARGET);
      if (ratios.every((r) => r !== undefined)) ratiosHold &&= held;
      const shown = ratios.map((r) => (r === undefined ? '-' : formatRatio(r))).join(' / ');
      return [name, ...cells, `${shown} ${held ? 'MET' : 'NOT MET'}`];
    });
  const text = [
    renderTable([['scenario (second ÷ first median)', ...present, 'havuz ÷ fastest peer, first / second'], ...rows]),
    '',
    `medians agree within ${AGREEMENT_TARGET * 100}% (! marks those that do not): ${agree ? 'yes' : 'NO'}`,
    `havuz >= ${SPEEDUP_TARGET}x the fastest peer in every scenario in both runs: ${ratiosHold ? 'yes' : 'NO'}`,
  ].join('\n');
  return { text, agree, ratiosHold };
}
