/** One ingest at a time per index directory, across processes. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { IngestBusyError } from '../errors.js';

export async function withIngestLock<T>(indexDir: string, work: () => Promise<T>): Promise<T> {
  await mkdir(indexDir, { recursive: true });
  let release: () => Promise<void>;
  try {
    // stale: a lock whose holder was killed stops being refreshed and is taken over after this long.
    release = await lockfile.lock(indexDir, { lockfilePath: join(indexDir, 'ingest.lock'), stale: 10_000, update: 2_000 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new IngestBusyError('another ingest is already running on this index; try again when it finishes');
    }
    throw e;
  }
  try {
    return await work();
  } finally {
    await release().catch(() => undefined);
  }
}
