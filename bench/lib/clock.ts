/** Milliseconds on some monotonic scale; only differences mean anything. */
export type Clock = () => number;

/** Elapsed real time. */
export const wallClock: Clock = () => performance.now();

/**
 * CPU time of this process (all its threads, user + system), microsecond resolution. Time the
 * process spends descheduled while other programs use the cores does not count, so figures taken
 * on a busy machine stay comparable; work on V8's helper threads (parallel GC) does count.
 */
export const cpuClock: Clock = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

export const clocks = { wall: wallClock, cpu: cpuClock } as const;
export type ClockName = keyof typeof clocks;
