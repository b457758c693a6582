/**
 * The store's ingest on a worker thread. Cleaning, chunking and embedding a long document is seconds of synchronous
 * work; on the main thread it would stall every question the bot answers meanwhile, and a signal could not be heard
 * until it ended. The main side starts a worker on this same file, relays its notices and progress, and when its
 * signal aborts asks the worker to stop at the next document: the worker's store removes its half-written build and
 * releases the lock, so the previous index keeps serving.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Config } from '../config.js';
import { createEmbedder } from './embedding/corpus-embedder.js';
import * as errors from './errors.js';
import type { IngestProgress, IngestReport } from './types.js';
import { retrievalTablesFile } from './search/document-work.js';
import { clearEndedIngest } from './index/hnsw-store.js';
import { openIndexStore } from './index/open-store.js';
import { workerEntry } from './ingest/worker-entry.js';

type FromWorker =
  | { kind: 'notice'; message: string }
  | { kind: 'progress'; progress: IngestProgress[] }
  | { kind: 'done'; report: IngestReport }
  | { kind: 'failed'; name: string; message: string; stack?: string };

/**
 * Asked to stop, a worker gets this long to reach its next check (files are read in a worker of their own and
 * embedding yields every few dozen chunks, so it usually takes milliseconds) before it is terminated: a stop
 * (SIGTERM) must end an ingest within a second even while a large build is being written.
 */
const STOP_GRACE_MS = 600;
/**
 * Once the worker writes its build (HNSW files, tables, records) it gets longer to reach its next check: with the
 * short grace, hardening-ingest's "SIGINT while it writes" saw the process end by a signal instead of exit 1 in 1
 * run of 4 (cause not pinned down; terminating the thread mid-write is the suspect), and a write ends within seconds.
 */
const WRITE_GRACE_MS = 5_000;
/**
 * Progress crosses to the main thread in batches, at most this long after their first item: a message per file took
 * about 0.3 s of the ingest thread on the BBC archive (2,125 files). Every item is kept, so a log still names each
 * file.
 */
const PROGRESS_EVERY_MS = 100;
/** A worker that sent its result has this long to end by itself before it is terminated (it takes milliseconds). */
const LINGER_MS = 5_000;

/** The worker's failure as the error it was, so front ends print a user's error as one line, as they would in-process. */
function rebuilt(failure: Extract<FromWorker, { kind: 'failed' }>): Error {
  const known = (errors as Record<string, unknown>)[failure.name];
  if (typeof known === 'function' && known.prototype instanceof errors.UserFacingError) {
    return new (known as new (message: string) => Error)(failure.message);
  }
  return Object.assign(new Error(failure.message), { stack: failure.stack });
}

const reasonOf = (signal: AbortSignal): Error =>
  signal.reason instanceof errors.IngestStoppedError ? signal.reason : errors.ingestStopped(String(signal.reason ?? 'request'));

/**
 * Ingests CORPUS_DIR into the configured store on a worker thread. Aborting `signal` (with an IngestStoppedError as
 * its reason, or any reason naming why) stops it before the new build goes live and rejects with that error.
 */
export function ingestInWorker(
  config: Config,
  options: { onNotice?: (message: string) => void; onProgress?: (p: IngestProgress) => void; signal?: AbortSignal } = {},
): Promise<IngestReport> {
  const { onNotice, onProgress, signal } = options;
  if (signal?.aborted) return Promise.reject(reasonOf(signal));
  const worker = new Worker(workerEntry(import.meta.url), { workerData: { ingest: config } });
  return new Promise<IngestReport>((resolve, reject) => {
    let settled = false;
    /** The thread id of a worker ended because it did not stop in time. */
    let terminated: number | null = null;
    /** Whether the worker has begun writing its build. */
    let writing = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', stop);
      outcome();
      // Everything the ingest held (lock, files) is released before its result is sent, and the worker then ends by
      // itself: terminating it while it unloads (hnswlib's native index among what it holds) is the suspect of a
      // test process lost on Node 20. It never keeps the process alive, and is ended if it lingers.
      worker.unref();
      setTimeout(() => void worker.terminate(), LINGER_MS).unref();
    };
    function stop() {
      worker.postMessage({ stop: reasonOf(signal!).message });
      setTimeout(() => {
        if (settled) return;
        terminated = worker.threadId;
        void worker.terminate();
      }, writing ? WRITE_GRACE_MS : STOP_GRACE_MS).unref();
    }
    signal?.addEventListener('abort', stop, { once: true });
    worker.on('message', (m: FromWorker) => {
      if (m.kind === 'notice') onNotice?.(m.message);
      else if (m.kind === 'progress') {
        for (const p of m.progress) {
          writing ||= p.stage === 'index';
          onProgress?.(p);
        }
      }
      else if (m.kind === 'done') settle(() => resolve(m.report));
      else settle(() => reject(rebuilt(m)));
    });
    worker.on('error', (e) => settle(() => reject(e)));
    worker.on('exit', (code) => {
      if (terminated === null) return settle(() => reject(new Error(`the ingest worker exited with code ${code} before it finished`)));
      // Ended mid-write, the worker could neither remove its half-written build nor release its lock: done here.
      void clearEndedIngest(config.indexDir, terminated).finally(() => settle(() => reject(reasonOf(signal!))));
    });
  });
}

/**
 * Progress items handed to `send` in batches: the first item of each stage at once (the main side gives a stop more
 * time once the build is being written), the others at most PROGRESS_EVERY_MS later; `flush` sends what is left.
 */
function batched(send: (items: IngestProgress[]) => void): { add: (p: IngestProgress) => void; flush: () => void } {
  let items: IngestProgress[] = [];
  let stage: IngestProgress['stage'] | undefined;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (items.length) send(items);
    items = [];
  };
  return {
    add: (p) => {
      items.push(p);
      if (p.stage !== stage) flush();
      else timer ??= setTimeout(flush, PROGRESS_EVERY_MS);
      stage = p.stage;
    },
    flush,
  };
}

async function runInWorker(config: Config): Promise<void> {
  const port = parentPort!;
  const post = (m: FromWorker) => port.postMessage(m);
  const progress = batched((items) => post({ kind: 'progress', progress: items }));
  const controller = new AbortController();
  port.on('message', (m: { stop?: string }) => {
    if (m.stop) controller.abort(new errors.IngestStoppedError(m.stop));
  });
  try {
    const embedder = await createEmbedder(config, (message) => post({ kind: 'notice', message }));
    const store = await openIndexStore(config, embedder, retrievalTablesFile);
    const report = await store.ingest(progress.add, controller.signal);
    progress.flush();
    post({ kind: 'done', report });
  } catch (e) {
    progress.flush();
    const error = e instanceof Error ? e : new Error(String(e));
    post({ kind: 'failed', name: error.name, message: error.message, stack: error.stack });
  }
  // The result is sent: with its port closed, the thread has nothing left to wait for and ends.
  port.close();
}

if (!isMainThread && (workerData as { ingest?: Config } | null)?.ingest) void runInWorker((workerData as { ingest: Config }).ingest);
