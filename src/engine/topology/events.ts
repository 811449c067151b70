import diagnostics from 'node:diagnostics_channel';
import { InvalidOptionError } from '../../core/errors.js';
import type { HostRole } from './member.js';

/** A host changed role or reachability: promoted, demoted, found down or back. */
export interface RoleChangeEvent {
  /** The engine's name. */
  pool: string;
  /** `host:port`. */
  host: string;
  previous: HostRole;
  role: HostRole;
}

export interface TopologyEventMap {
  'role-change': RoleChangeEvent;
}
export type TopologyEventName = keyof TopologyEventMap;

const channel = diagnostics.channel('havuz:topology:role-change');

export const isTopologyEvent = (event: unknown): event is TopologyEventName => event === 'role-change';

/** The topology's one event; like the pool's emitter, a throwing listener is reported, never fatal. */
export class TopologyEvents {
  #listeners: ((event: RoleChangeEvent) => void)[] = [];
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void) {
    this.#onListenerError = onListenerError;
  }

  on(listener: (event: RoleChangeEvent) => void): () => void {
    if (typeof listener !== 'function') throw new InvalidOptionError('listener', listener, 'a function');
    this.#listeners = [...this.#listeners, listener];
    return () => this.off(listener);
  }

  off(listener: (event: RoleChangeEvent) => void): void {
    this.#listeners = this.#listeners.filter((l) => l !== listener);
  }

  emit(event: RoleChangeEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
    if (channel.hasSubscribers) channel.publish(event);
  }
}
