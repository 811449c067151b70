import { formatRatio, median, renderTable } from '../lib/stats.js';
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
  /**
   * Every library's second ÷ first within AGREEMENT_TARGET of its scenario's common move (the
   * median of them all, floors included): whether a disagreement is the machine's, which moves every
   * library at once, or one library's own.
   */
  agreeBesideMachine: boolean;
}

/**
 * Two `--json` outputs side by side: each library's second median over its first (within 10%?),
 * and havuz ÷ fastest peer in each run (2x or more in both?).
 */
export function compareRuns(a: Medians, b: Medians): Comparison {
  const present = libraries.filter((lib) => Object.values(a).some((rates) => rates[lib] !== undefined));
  let agree = true;
  let ratiosHold = true;
  let agreeBesideMachine = true;
  const rows = Object.keys(a)
    .filter((name) => b[name] !== undefined)
    .map((name) => {
      const moves = present.map((lib: Library) => {
        const x = a[name]![lib];
        const y = b[name]![lib];
        return x === undefined || y === undefined ? undefined : y / x;
      });
      const measured = moves.filter((m) => m !== undefined);
      const common = measured.length > 0 ? median(measured) : 1;
      const cells = moves.map((move) => {
        if (move === undefined) return '-';
        const ok = Math.abs(move - 1) <= AGREEMENT_TARGET;
        agree &&= ok;
        agreeBesideMachine &&= Math.abs(move / common - 1) <= AGREEMENT_TARGET;
        return `${formatRatio(move)}${ok ? '' : ' !'}`;
      });
      const ratios = [a[name]!, b[name]!].map((rates) => {
        const best = fastestPeer(rates);
        return rates.havuz === undefined || best === undefined ? undefined : rates.havuz / best.rate;
      });
      const held = ratios.every((r) => r !== undefined && r >= SPEEDUP_TARGET);
      if (ratios.every((r) => r !== undefined)) ratiosHold &&= held;
      const shown = ratios.map((r) => (r === undefined ? '-' : formatRatio(r))).join(' / ');
      return [name, ...cells, formatRatio(common), `${shown} ${held ? 'MET' : 'NOT MET'}`];
    });
  const text = [
    renderTable([['scenario (second ÷ first median)', ...present, 'common move', 'havuz ÷ fastest peer, first / second'], ...rows]),
    '',
    `medians agree within ${AGREEMENT_TARGET * 100}% (! marks those that do not): ${agree ? 'yes' : 'NO'}`,
    `each library within ${AGREEMENT_TARGET * 100}% of its scenario's common move (the median move; a machine that changed speed moves them all): ${agreeBesideMachine ? 'yes' : 'NO'}`,
    `havuz >= ${SPEEDUP_TARGET}x the fastest peer in every scenario in both runs: ${ratiosHold ? 'yes' : 'NO'}`,
  ].join('\n');
  return { text, agree, ratiosHold, agreeBesideMachine };
}
