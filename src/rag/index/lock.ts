/**
 * One ingest at a time per index directory, across processes. The lock (proper-lockfile's directory) names its
 * holder — pid, thread and host — so a lock left by a process that is gone (killed with -9, a crashed machine's
 * container restarted, a zombie nobody reaped) is taken over at once. A holder of this host that still exists keeps
 * the lock however long it has not refreshed it (stopped, or starved of CPU on a loaded machine); only a holder on
 * another host, which cannot be asked, is judged by the lock's age.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import { asIndexWriteError, IngestBusyError } from '../errors.js';

interface Holder {
  pid: number;
  /** The worker thread (0: the main thread) holding it, so its process can release it if the thread is ended. */
  thread?: number;
  host: string;
}

/**
 * A lock whose record is empty or missing this long after the lock was made belongs to nobody: its maker writes the
 * record within milliseconds, or failed to (a full disk) and died or gave up.
 */
const RECORD_GRACE_MS = 1000;
/**
 * A holder on another host refreshes the lock's mtime every REFRESH_MS; one whose lock is STALE_MS old has stopped
 * (killed, or its machine is gone) and is taken over.
 */
const REFRESH_MS = 2_000;
const STALE_MS = 10_000;

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
      const holder: Holder = { pid: process.pid, thread: threadId, host: os.hostname() };
      fs.writeFile(holderPath(path), JSON.stringify(holder), (written) => {
        // A lock without its holder's name (the disk is full) would read as held by someone: it is not left behind.
        if (written) fs.rm(path, { recursive: true, force: true }, () => callback(written));
        else callback(null);
      });
    }),
  rmdir: (path: string, callback: (e: NodeJS.ErrnoException | null) => void) => fs.rm(path, { recursive: true, force: true }, callback),
  rmdirSync: (path: string) => fs.rmSync(path, { recursive: true, force: true }),
};
const holderPath = (lock: string) => join(lock, 'holder.json');

/** The lock's record; 'empty' when it is missing, empty or unreadable. */
async function readHolder(lock: string): Promise<Holder | 'empty'> {
  try {
    const holder = JSON.parse(await readFile(holderPath(lock), 'utf8')) as Holder;
    return typeof holder?.pid === 'number' && typeof holder.host === 'string' ? holder : 'empty';
  } catch {
    return 'empty';
  }
}

/**
 * A process that has exited but was not yet reaped by its parent: signal 0 still reaches it, yet it will never run
 * again. Linux says so in /proc/<pid>/stat (state Z, or X while it is being reaped); elsewhere the check is skipped.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

/**
 * True only when the holder is known to be gone: a process of this host that no longer exists or is a zombie, or
 * a record left empty (see RECORD_GRACE_MS).
 */
async function holderGone(lock: string, holder: Holder | 'empty'): Promise<boolean> {
  if (holder === 'empty') {
    const made = await stat(lock).catch(() => null);
    return made !== null && Date.now() - made.mtimeMs > RECORD_GRACE_MS;
  }
  if (holder.host !== os.hostname()) {
    const refreshed = await stat(lock).catch(() => null);
    return refreshed !== null && Date.now() - refreshed.mtimeMs > STALE_MS;
  }
  try {
    process.kill(holder.pid, 0);
    return isZombie(holder.pid);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

const sameHolder = (a: Holder | 'empty', b: Holder | 'empty') =>
  a === 'empty' || b === 'empty' ? a === b : a.pid === b.pid && a.thread === b.thread && a.host === b.host;

/**
 * Removes a lock whose holder is gone. The lock is first renamed aside (only one of several processes doing this
 * at once succeeds) and removed only if it still names the dead holder; a live holder's lock is put back.
 */
async function takeOverFromDeadHolder(lock: string): Promise<boolean> {
  const holder = await readHolder(lock);
  if (!(await holderGone(lock, holder))) return false;
  return removeLockOf(lock, holder);
}

/** Removes the lock if it still names `holder`, renaming it aside first so that only one process does so. */
async function removeLockOf(lock: string, holder: Holder | 'empty'): Promise<boolean> {
  const aside = `${lock}.dead-${process.pid}-${randomBytes(3).toString('hex')}`;
  if (!(await rename(lock, aside).then(() => true, () => false))) return false;
  if (sameHolder(await readHolder(aside), holder)) {
    await rm(aside, { recursive: true, force: true });
    return true;
  }
  await rename(aside, lock).catch(() => rm(aside, { recursive: true, force: true }));
  return false;
}

async function acquire(indexDir: string): Promise<() => Promise<void>> {
  // Loaded here: proper-lockfile (and graceful-fs, which patches fs as it loads) is for ingests, not for answering.
  const { default: lockfile } = await import('proper-lockfile');
  // proper-lockfile would remove any lock older than `stale` itself, a live holder's on this host too (one paused
  // past it, its refresh timer late on a busy machine), and that holder would then fail as "compromised" while a
  // second ingest ran beside it. So its own age check never fires; holderGone decides, by pid here and by age for
  // other hosts.
  const options = { lockfilePath: lockPath(indexDir), stale: Infinity, update: REFRESH_MS, fs: lockFs };
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

/**
 * Runs `work` holding the lock of `indexDir`. A write that fails there for want of space or permission (taking the
 * lock, writing a build) comes out as one IndexWriteError line.
 */
export async function withIngestLock<T>(indexDir: string, work: () => Promise<T>): Promise<T> {
  const resolved = resolve(indexDir);
  try {
    await mkdir(indexDir, { recursive: true });
    const release = await acquire(indexDir);
    try {
      return await work();
    } finally {
      await release().catch(() => undefined);
    }
  } catch (e) {
    throw asIndexWriteError(e, indexDir, resolved) ?? e;
  }
}

/**
 * Releases the lock a worker thread of this process held when it was terminated mid-ingest (it could not release it
 * itself), after `clear` has removed what the thread left half-written; a lock naming another process or thread is
 * left alone, and so is what it guards.
 */
export async function releaseLockOfEndedThread(indexDir: string, thread: number, clear: () => Promise<void>): Promise<void> {
  const lock = lockPath(indexDir);
  const holder = await readHolder(lock);
  if (holder !== 'empty' && holder.pid === process.pid && holder.thread === thread && holder.host === os.hostname()) {
    await clear();
    await removeLockOf(lock, holder);
  }
}

/** Files a killed ingest can leave beside the lock: a dead holder's lock renamed aside and never removed. */
export const isLeftoverLock = (name: string) => name.startsWith('ingest.lock.dead-');
