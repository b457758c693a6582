/**
 * One ingest at a time per index directory, across processes. The lock (proper-lockfile's directory) names its
 * holder — pid and host — so a lock left by a process that is gone (killed with -9, a crashed machine's
 * container restarted) is taken over at once; the 10-second staleness by age stays for holders on other hosts.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { IngestBusyError } from '../errors.js';

interface Holder {
  pid: number;
  host: string;
}

const lockPath = (indexDir: string) => join(indexDir, 'ingest.lock');
/**
 * The file system proper-lockfile uses, with the holder's name written into the lock directory as it is made
 * (before proper-lockfile stamps its mtime, which it later checks as its own), and the directory removed whole.
 */
const lockFs = {
  ...fs,
  mkdir: (path: string, callback: (e: NodeJS.ErrnoException | null) => void) =>
    fs.mkdir(path, (made) => {
      if (made) return callback(made);
      const holder: Holder = { pid: process.pid, host: os.hostname() };
      fs.writeFile(holderPath(path), JSON.stringify(holder), (written) => callback(written));
    }),
  rmdir: (path: string, callback: (e: NodeJS.ErrnoException | null) => void) => fs.rm(path, { recursive: true, force: true }, callback),
  rmdirSync: (path: string) => fs.rmSync(path, { recursive: true, force: true }),
};
const holderPath = (lock: string) => join(lock, 'holder.json');

async function readHolder(lock: string): Promise<Holder | null> {
  try {
    return JSON.parse(await readFile(holderPath(lock), 'utf8')) as Holder;
  } catch {
    return null;
  }
}

/** True only when the holder is known to be gone: a process of this host that no longer exists. */
function holderGone(holder: Holder | null): boolean {
  if (!holder || holder.host !== os.hostname()) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes a lock whose holder is gone. The lock is first renamed aside (only one of several processes doing this
 * at once succeeds) and removed only if it still names the dead holder; a live holder's lock is put back.
 */
async function takeOverFromDeadHolder(lock: string): Promise<boolean> {
  const holder = await readHolder(lock);
  if (!holderGone(holder)) return false;
  const aside = `${lock}.dead-${process.pid}-${randomBytes(3).toString('hex')}`;
  if (!(await rename(lock, aside).then(() => true, () => false))) return false;
  const moved = await readHolder(aside);
  if (moved?.pid === holder!.pid && moved.host === holder!.host) {
    await rm(aside, { recursive: true, force: true });
    return true;
  }
  await rename(aside, lock).catch(() => rm(aside, { recursive: true, force: true }));
  return false;
}

async function acquire(indexDir: string): Promise<() => Promise<void>> {
  // Loaded here: proper-lockfile (and graceful-fs, which patches fs as it loads) is for ingests, not for answering.
  const { default: lockfile } = await import('proper-lockfile');
  // stale: a holder on another host that stopped refreshing the lock (killed) is taken over after this long.
  const options = { lockfilePath: lockPath(indexDir), stale: 10_000, update: 2_000, fs: lockFs };
  try {
    return await lockfile.lock(indexDir, options);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
    if (await takeOverFromDeadHolder(lockPath(indexDir))) {
      return lockfile.lock(indexDir, options).catch((again: NodeJS.ErrnoException) => {
        throw again.code === 'ELOCKED' ? busy() : again;
      });
    }
    throw busy();
  }
}

const busy = () => new IngestBusyError('another ingest is already running on this index; try again when it finishes');

export async function withIngestLock<T>(indexDir: string, work: () => Promise<T>): Promise<T> {
  await mkdir(indexDir, { recursive: true });
  const release = await acquire(indexDir);
  try {
    return await work();
  } finally {
    await release().catch(() => undefined);
  }
}
