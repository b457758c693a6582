/**
 * Reading one corpus file — parsing it, then cleaning and chunking it — in a worker thread with a time and memory
 * budget (limits.ts). A synchronous parser cannot be interrupted from its own thread; a worker can be terminated
 * whatever it is doing. A file whose work passes the budget, or runs out of its worker's memory, or whose parser
 * throws, is skipped with the reason, the worker is replaced, and the ingest goes on with the next file.
 *
 * One FileWorker runs one job at a time (calls queue). It is the one place that runs a file's work, so spreading an
 * ingest over several threads means holding several FileWorkers and handing each file to one of them.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { chunkDocument, type Chunk } from './chunk.js';
import { cleanDocument, type Section } from './clean.js';
import { formatOf, parseByType } from './formats.js';
import { FILE_MEMORY_MB, FILE_TIME_BUDGET_MS, shapeProblem } from './limits.js';
import type { ParsedText } from './parsed.js';
import type { Placeholder } from '../types.js';
import { workerEntry } from './worker-entry.js';

/** A cleaned and chunked document: what indexing needs of a file besides its vectors. */
export interface PreparedDocument {
  title: string;
  /** ISO yyyy-mm-dd, when the document states its date. */
  date?: string;
  text: string;
  sections: Section[];
  placeholders: Placeholder[];
  chunks: Chunk[];
}

/** Why a file is left out of the index, in the words of the ingest report. */
export interface Skip {
  skipped: string;
}

export const isSkip = (x: unknown): x is Skip => typeof x === 'object' && x !== null && 'skipped' in x;

type Job =
  | { kind: 'parse'; type: string; text: string }
  | { kind: 'prepare'; source: string; parsed: ParsedText; furniture?: string[] };

type Reply = { id: number; result: ParsedText | PreparedDocument | Skip } | { id: number; error: string };

export interface FileWorkerOptions {
  timeBudgetMs?: number;
  memoryMb?: number;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

export class FileWorker {
  readonly #timeBudgetMs: number;
  readonly #memoryMb: number;
  #worker: Worker | null = null;
  /** The furniture the worker holds; sent again to a replacement worker. */
  #furniture: string[] = [];
  #furnitureSent = false;
  #ready: Promise<void> = Promise.resolve();
  #queue: Promise<unknown> = Promise.resolve();
  #next = 0;
  /** Time each file's work has taken so far: parsing and cleaning share one budget. */
  readonly #spent = new Map<string, number>();

  constructor(options: FileWorkerOptions = {}) {
    this.#timeBudgetMs = options.timeBudgetMs ?? FILE_TIME_BUDGET_MS;
    this.#memoryMb = options.memoryMb ?? FILE_MEMORY_MB;
  }

  /** The file's text as blocks, through the parser of its type, or why it is skipped. */
  async parse(source: string, type: string, text: string, signal?: AbortSignal): Promise<ParsedText | Skip> {
    if (formatOf(type) === 'text') return { text, headings: 'shape' };
    return this.#run(source, { kind: 'parse', type, text }, signal) as Promise<ParsedText | Skip>;
  }

  /** The lines several documents repeat (clean.ts `repeatedLines`), which cleaning drops from each of them. */
  setFurniture(furniture: Iterable<string>): void {
    this.#furniture = [...furniture];
    this.#furnitureSent = false;
  }

  /** The parsed file cleaned and chunked, or why it is skipped. */
  prepare(source: string, parsed: ParsedText, signal?: AbortSignal): Promise<PreparedDocument | Skip> {
    return this.#run(source, { kind: 'prepare', source, parsed }, signal) as Promise<PreparedDocument | Skip>;
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    await worker?.terminate();
  }

  #run(source: string, job: Job, signal?: AbortSignal): Promise<ParsedText | PreparedDocument | Skip> {
    const run = this.#queue.then(() => this.#runNow(source, job, signal));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #runNow(source: string, job: Job, signal?: AbortSignal): Promise<ParsedText | PreparedDocument | Skip> {
    signal?.throwIfAborted();
    const spent = this.#spent.get(source) ?? 0;
    const budget = this.#timeBudgetMs - spent;
    if (budget <= 0) return { skipped: `took longer than ${seconds(this.#timeBudgetMs)} to read` };
    const worker = await this.#started();
    if (job.kind === 'prepare' && !this.#furnitureSent) {
      job = { ...job, furniture: this.#furniture };
      this.#furnitureSent = true;
    }
    const id = this.#next++;
    const began = performance.now();
    try {
      return await new Promise<ParsedText | PreparedDocument | Skip>((resolve, reject) => {
        const finish = (outcome: () => void) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', aborted);
          worker.off('message', replied);
          worker.off('error', failed);
          worker.off('exit', exited);
          outcome();
        };
        // Whatever the worker is doing, it is ended: its replacement starts with the next job.
        const replace = () => {
          if (this.#worker === worker) this.#worker = null;
          void worker.terminate();
        };
        const timer = setTimeout(() => {
          replace();
          finish(() => resolve({ skipped: `took longer than ${seconds(this.#timeBudgetMs)} to read` }));
        }, budget);
        const aborted = () => {
          replace();
          finish(() => reject(signal!.reason));
        };
        const replied = (reply: Reply) => {
          if (reply.id !== id) return;
          finish(() => resolve('error' in reply ? { skipped: `could not be read (${reply.error})` } : reply.result));
        };
        const failed = (e: Error & { code?: string }) => {
          replace();
          const reason = e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `needed more than ${this.#memoryMb} MB of memory to read` : `could not be read (${e.message})`;
          finish(() => resolve({ skipped: reason }));
        };
        const exited = () => {
          replace();
          finish(() => resolve({ skipped: 'could not be read (its reader stopped)' }));
        };
        signal?.addEventListener('abort', aborted, { once: true });
        worker.on('message', replied);
        worker.on('error', failed);
        worker.on('exit', exited);
        worker.postMessage({ id, job });
      });
    } finally {
      this.#spent.set(source, spent + performance.now() - began);
    }
  }

  /** The worker, started and ready for a job: its start (seconds on a loaded machine) is not charged to a file. */
  async #started(): Promise<Worker> {
    if (!this.#worker) {
      const worker = new Worker(workerEntry(import.meta.url), {
        workerData: { fileWorker: true },
        resourceLimits: { maxOldGenerationSizeMb: this.#memoryMb },
      });
      // An idle worker must not keep a process alive (see #runNow).
      worker.unref();
      this.#worker = worker;
      this.#furnitureSent = false;
      this.#ready = new Promise<void>((resolve, reject) => {
        const ready = (m: unknown) => m === READY && (worker.off('message', ready), worker.off('error', reject), resolve());
        worker.on('message', ready);
        worker.once('error', reject);
      });
    }
    const worker = this.#worker;
    // While a job waits for it, the worker keeps the process alive.
    worker.ref();
    try {
      await this.#ready;
    } finally {
      worker.unref();
    }
    return worker;
  }
}

/** What a worker says once it can take jobs. */
const READY = 'ready';

async function work(job: Job, furniture: Set<string>): Promise<ParsedText | PreparedDocument | Skip> {
  if (job.kind === 'parse') {
    const problem = shapeProblem(formatOf(job.type), job.text);
    return problem ? { skipped: problem } : parseByType(job.type, job.text);
  }
  const cleaned = cleanDocument(job.parsed.text, { ...job.parsed, furniture });
  const { title, date, text, sections, placeholders } = cleaned;
  return { title, ...(date ? { date } : {}), text, sections, placeholders, chunks: chunkDocument(job.source, cleaned) };
}

function serve(): void {
  const port = parentPort!;
  port.postMessage(READY);
  let furniture = new Set<string>();
  port.on('message', async ({ id, job }: { id: number; job: Job }) => {
    if (job.kind === 'prepare' && job.furniture) furniture = new Set(job.furniture);
    try {
      port.postMessage({ id, result: await work(job, furniture) } satisfies Reply);
    } catch (e) {
      port.postMessage({ id, error: e instanceof Error ? e.message.split('\n')[0]! : String(e) } satisfies Reply);
    }
  });
}

if (!isMainThread && (workerData as { fileWorker?: boolean } | null)?.fileWorker) serve();
