import { Engine, type EngineOptions } from './engine.js';
import { isTopologyUrl } from './topology/hosts.js';
import { hasTopologyOptions, type TopologyOptions } from './topology/options.js';
import { TopologyEngine } from './topology/topology-engine.js';

/**
 * The engine for a URL: one pool for one server, or, when the URL names several hosts or a
 * `target_session_attrs` (or the options set a topology option), a TopologyEngine with a pool
 * per host that sends writes to the primary and `readOnly` work to replicas.
 */
export function createEngine<C = unknown>(url: string, options?: EngineOptions & TopologyOptions): Engine<C> {
  if (isTopologyUrl(url) || hasTopologyOptions(options)) return new TopologyEngine<C>(url, options);
  return new Engine<C>(url, options);
}
