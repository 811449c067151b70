import type { MongoClientLike } from './factory.js';

/** What havuz reads of a topologyDescriptionChanged event: each known server and its last error. */
interface TopologyChange {
  newDescription?: { servers?: Map<string, { error?: unknown }> };
}

/**
 * `client.connect()`, but failing with the real cause (connect ECONNREFUSED, a DNS error) as soon
 * as every known server has failed its first check: the driver itself keeps retrying until
 * serverSelectionTimeoutMS (30 s by default) and then reports only a selection timeout.
 */
export async function connectMongo(client: MongoClientLike): Promise<void> {
  let watching = true;
  const unreachable = new Promise<never>((_resolve, reject) => {
    client.on('topologyDescriptionChanged', (event) => {
      const servers = [...((event as TopologyChange).newDescription?.servers?.values() ?? [])];
      if (watching && servers.length > 0 && servers.every((s) => s.error != null)) reject(servers[0]!.error);
    });
  });
  unreachable.catch(() => undefined);
  const connecting = client.connect();
  connecting.catch(() => undefined); // when unreachable wins, the driver's own rejection comes later
  try {
    await Promise.race([connecting, unreachable]);
  } finally {
    watching = false;
  }
}
