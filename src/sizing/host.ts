import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * Physical cores of this machine: distinct (physical id, core id) pairs in /proc/cpuinfo, so
 * hyper-threads do not count twice, and no more than the CPUs this process may use; the logical
 * CPU count where that file is not available.
 */
export function physicalCores(cpuinfo?: string): number {
  if (cpuinfo === undefined) {
    // In a container /proc/cpuinfo lists the host's cores; the CPUs we may use can be fewer.
    try {
      return Math.min(physicalCores(readFileSync('/proc/cpuinfo', 'utf8')), availableParallelism());
    } catch {
      return availableParallelism();
    }
  }
  const text = cpuinfo;
  const cores = new Set<string>();
  for (const block of text.split(/\n\s*\n/)) {
    const physical = /^physical id\s*:\s*(\d+)/m.exec(block)?.[1];
    const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
    if (physical !== undefined && core !== undefined) cores.add(`${physical}:${core}`);
  }
  return cores.size > 0 ? cores.size : availableParallelism();
}
