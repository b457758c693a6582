/**
 * The bot's state in DATA_DIR (thread conversations, channel scopes): a JSON file replaced whole, atomically, so a
 * crash or a kill mid-write leaves the previous version, never half of one. Writes are serialised, and a burst of
 * changes is written once more after the write under way rather than once per change.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

export class StateFile<T> {
  private writing: Promise<void> | null = null;
  private pending: T | null = null;

  constructor(readonly path: string) {}

  /** The stored value, or null when there is none yet or it cannot be read as JSON (the caller starts afresh). */
  async read(): Promise<unknown> {
    const text = await readFile(this.path, 'utf8').catch(() => null);
    if (text === null) return null;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return null;
    }
  }

  /** Stores `value` (the latest of several calls wins); resolves once a write holding it is on disk. */
  write(value: T): Promise<void> {
    this.pending = value;
    this.writing ??= this.flush();
    return this.writing;
  }

  /** Resolves once every write asked for so far is on disk (a bot stopping waits for it). */
  async settled(): Promise<void> {
    while (this.writing) await this.writing.catch(() => undefined);
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending !== null) {
        const value = this.pending;
        this.pending = null;
        await this.replace(`${JSON.stringify(value)}\n`);
      }
    } finally {
      // Cleared in the same step as the last look at `pending`: a later write starts a flush of its own.
      this.writing = null;
    }
  }

  /** Written and synced beside the file, then renamed over it: rename is atomic within a folder. */
  private async replace(text: string): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const handle = await open(temporary, 'wx');
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, this.path);
    } catch (e) {
      await rm(temporary, { force: true });
      throw e;
    }
  }
}
