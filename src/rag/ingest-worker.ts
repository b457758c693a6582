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
  | { kind: 'progress'; progress: IngestProgress }
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
 * Progress crosses to the main thread at most this often, and at every change of stage and the last file: a message
 * per file took about 0.3 s of the ingest thread on the BBC archive (2,125 files), and every display of progress
 * shows a few updates a second at most (the terminal's bar, the bot's edits every few seconds).
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
        writing ||= m.progress.stage === 'index';
        onProgress?.(m.progress);
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

/** `report`, called for a change of stage, the last item of a stage, or once PROGRESS_EVERY_MS have passed. */
function throttled(report: (p: IngestProgress) => void): (p: IngestProgress) => void {
  let stage: IngestProgress['stage'] | undefined;
  let reportedAt = 0;
  return (p) => {
    const now = performance.now();
    if (p.stage === stage && p.done + 1 < p.total && now - reportedAt < PROGRESS_EVERY_MS) return;
    stage = p.stage;
    reportedAt = now;
    report(p);
  };
}

async function runInWorker(config: Config): Promise<void> {
  const port = parentPort!;
  const post = (m: FromWorker) => port.postMessage(m);
  const controller = new AbortController();
  port.on('message', (m: { stop?: string }) => {
    if (m.stop) controller.abort(new errors.IngestStoppedError(m.stop));
  });
  try {
    const embedder = await createEmbedder(config, (message) => post({ kind: 'notice', message }));
    const store = await openIndexStore(config, embedder, retrievalTablesFile);
    post({ kind: 'done', report: await store.ingest(throttled((progress) => post({ kind: 'progress', progress })), controller.signal) });
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    post({ kind: 'failed', name: error.name, message: error.message, stack: error.stack });
  }
  // The result is sent: with its port closed, the thread has nothing left to wait for and ends.
  port.close();
}

if (!isMainThread && (workerData as { ingest?: Config } | null)?.ingest) void runInWorker((workerData as { ingest: Config }).ingest);
