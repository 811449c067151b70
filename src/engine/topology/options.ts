import { InvalidOptionError } from '../../core/errors.js';
import { MAX_TIMER_MS } from '../../core/timeouts.js';
import type { EngineOptions } from '../engine.js';
import { parseTopologyUrl, type TopologyUrl } from './hosts.js';

/**
 * libpq's `target_session_attrs`: which servers the engine's default route (every statement not
 * marked `readOnly`, and every transaction) may use. havuz's default is `read-write`, not libpq's
 * `any`: a topology engine is for writing to the primary and reading from replicas.
 */
export type TargetSessionAttrs = 'read-write' | 'read-only' | 'primary' | 'standby' | 'prefer-standby' | 'any';
export const TARGET_SESSION_ATTRS: readonly TargetSessionAttrs[] = ['read-write', 'read-only', 'primary', 'standby', 'prefer-standby', 'any'];

export interface TopologyOptions {
  /** Where statements go that are not marked `readOnly` (URL: `target_session_attrs`). Default `read-write`. */
  targetSessionAttrs?: TargetSessionAttrs;
  /** `random`: pick among eligible hosts at random per checkout; `disable`: in URL order (URL: `load_balance_hosts`). */
  loadBalanceHosts?: 'disable' | 'random';
  /** Leave out of `readOnly` routing a replica further behind its primary than this; unset = no limit. */
  maxReplicaLagMs?: number;
  /** How often every host's role and lag are asked again in the background (Npgsql's Host Recheck Seconds). Default 5 s. */
  hostRecheckMs?: number;
  /** How long asking one host its role may take before it counts as down. Default 2 s. */
  hostCheckTimeoutMs?: number;
}

export interface ResolvedTopologyOptions {
  targetSessionAttrs: TargetSessionAttrs;
  loadBalanceHosts: 'disable' | 'random';
  maxReplicaLagMs: number | undefined;
  hostRecheckMs: number;
  hostCheckTimeoutMs: number;
}

export const TOPOLOGY_OPTION_KEYS = ['targetSessionAttrs', 'loadBalanceHosts', 'maxReplicaLagMs', 'hostRecheckMs', 'hostCheckTimeoutMs'] as const;

/** A parsed topology URL and options, split into the topology's own and what every host's engine gets. */
export interface TopologyPlan {
  url: TopologyUrl;
  topology: ResolvedTopologyOptions;
  engine: EngineOptions;
}

/** True when the options ask for a topology (one of its own keys is set). */
export function hasTopologyOptions(options: object | undefined): boolean {
  return typeof options === 'object' && options !== null && TOPOLOGY_OPTION_KEYS.some((key) => Object.hasOwn(options, key));
}

export function planTopology(url: string, options: EngineOptions & TopologyOptions = {}): TopologyPlan {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new InvalidOptionError('options', options, 'an object');
  const parsed = parseTopologyUrl(url);
  const p = parsed.params;
  const engine: Record<string, unknown> = {};
  const given: Record<string, unknown> = {
    targetSessionAttrs: p.target_session_attrs,
    loadBalanceHosts: p.load_balance_hosts,
    maxReplicaLagMs: urlNumber('maxReplicaLagMs', p.maxReplicaLagMs),
    hostRecheckMs: urlNumber('hostRecheckMs', p.hostRecheckMs),
    hostCheckTimeoutMs: urlNumber('hostCheckTimeoutMs', p.hostCheckTimeoutMs),
  };
  for (const [key, value] of Object.entries(options)) {
    if ((TOPOLOGY_OPTION_KEYS as readonly string[]).includes(key)) given[key] = value;
    else engine[key] = value;
  }
  return { url: parsed, topology: resolveTopologyOptions(given), engine: engine as EngineOptions };
}

function resolveTopologyOptions(o: Record<string, unknown>): ResolvedTopologyOptions {
  const attrs = o.targetSessionAttrs ?? 'read-write';
  if (!TARGET_SESSION_ATTRS.includes(attrs as TargetSessionAttrs)) {
    throw new InvalidOptionError('targetSessionAttrs', attrs, TARGET_SESSION_ATTRS.map((a) => `"${a}"`).join(', '));
  }
  const balance = o.loadBalanceHosts ?? 'disable';
  if (balance !== 'disable' && balance !== 'random') throw new InvalidOptionError('loadBalanceHosts', balance, '"disable" or "random"');
  return {
    targetSessionAttrs: attrs as TargetSessionAttrs,
    loadBalanceHosts: balance,
    maxReplicaLagMs: o.maxReplicaLagMs === undefined ? undefined : duration('maxReplicaLagMs', o.maxReplicaLagMs, 0),
    hostRecheckMs: o.hostRecheckMs === undefined ? 5_000 : duration('hostRecheckMs', o.hostRecheckMs, 1),
    hostCheckTimeoutMs: o.hostCheckTimeoutMs === undefined ? 2_000 : duration('hostCheckTimeoutMs', o.hostCheckTimeoutMs, 1),
  };
}

function duration(option: string, value: unknown, min: number): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= MAX_TIMER_MS) return value;
  throw new InvalidOptionError(option, value, `a number of milliseconds from ${min} to ${MAX_TIMER_MS}`);
}

function urlNumber(option: string, text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  // Left as the string when it is not a number, so the check above names it as given.
  return text.trim() === '' || Number.isNaN(n) ? text : n;
}
