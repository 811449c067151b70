import net from 'node:net';

/**
 * The scratch servers of these tests and of bench/failover.ts listen only inside 15500-15699, a
 * range kept for them, so they never meet the shared servers or another run's scratch servers.
 * Each user of the range takes its own slice, so two test files running at once do not race for
 * the same free port.
 */
export const PORT_SLICES = {
  postgresTopologyTest: [15500, 15549],
  mariadbTopologyTest: [15550, 15599],
  failoverBench: [15600, 15649],
} as const satisfies Record<string, readonly [number, number]>;

/** The first `count` ports of the slice that nothing listens on right now. */
export async function freePorts(slice: readonly [number, number], count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let port = slice[0]; port <= slice[1] && ports.length < count; port++) {
    if (await isFree(port)) ports.push(port);
  }
  if (ports.length < count) throw new Error(`fewer than ${count} free ports in ${slice[0]}-${slice[1]}`);
  return ports;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
