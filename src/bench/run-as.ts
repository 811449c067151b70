/**
 * PostgreSQL refuses to run as root, so as root havuz runs the embedded server as the system's
 * `postgres` user (else `nobody`). That user must reach the binaries and the data folder, and a
 * project cloned under a folder only root may enter (a container's /root, a `mktemp -d` folder)
 * hides the binaries from it: `spawn …/initdb EACCES`. Here: who that user is, whether it can
 * reach a path, and a copy of the binaries it can reach.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { chmod, copyFile, link, mkdir, readdir, readlink, stat, symlink } from 'node:fs/promises';
import { dirname, join, parse, resolve } from 'node:path';
import { EmbeddedPostgresError } from '../core/errors.js';

export interface RunAs {
  readonly name: string;
  readonly uid: number;
  /** Its only group: Node's spawn with a uid drops supplementary groups (libuv calls setgroups(0)). */
  readonly gid: number;
}

/** The user PostgreSQL runs as when havuz runs as root: `postgres`, else `nobody`. No user is created. */
export function nonRootUser(): RunAs {
  const passwd = readLines('/etc/passwd');
  for (const wanted of ['postgres', 'nobody']) {
    const fields = passwd.find((line) => line.startsWith(`${wanted}:`))?.split(':');
    if (fields && fields.length > 3) return { name: wanted, uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new EmbeddedPostgresError('PostgreSQL cannot run as root and there is no "postgres" or "nobody" user to run it as; run as another user or pass --url');
}

function readLines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
}

/**
 * The first folder on the way to `path` (its parents, from `/` down) that `user` may not enter,
 * with its mode, or undefined when none stops it. By the mode bits, as the kernel reads them:
 * owner bits for the owner, else group bits for its group, else the rest. ACLs are not read.
 */
export function blockedAt(path: string, user: RunAs): { folder: string; mode: string } | undefined {
  let folder = dirname(resolve(path));
  const folders: string[] = [];
  while (true) {
    folders.unshift(folder);
    if (folder === parse(folder).root) break;
    folder = dirname(folder);
  }
  for (const f of folders) {
    const st = statSync(f);
    const bit = st.uid === user.uid ? 0o100 : st.gid === user.gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) return { folder: f, mode: (st.mode & 0o777).toString(8).padStart(4, '0') };
  }
  return undefined;
}

/**
 * Recreates the tree at `from` under `into`: files hard-linked (copied when `into` is on another
 * file system), symlinks recreated, folders mode 0755. PostgreSQL finds its libraries and share
 * files relative to its own binary, so the whole tree (bin, lib, share) comes along.
 */
export async function stageTree(from: string, into: string): Promise<void> {
  await mkdir(into, { recursive: true, mode: 0o755 });
  await chmod(into, 0o755);
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(into, entry.name);
    if (entry.isDirectory()) await stageTree(source, target);
    else if (entry.isSymbolicLink()) await symlink(await readlink(source), target);
    else await linkOrCopy(source, target);
  }
}

async function linkOrCopy(source: string, target: string): Promise<void> {
  try {
    await link(source, target);
  } catch {
    // Another file system (EXDEV), or links refused: a copy, with the original's mode.
    await copyFile(source, target);
    await chmod(target, (await stat(source)).mode & 0o7777);
  }
}
