/**
 * Reading one corpus file — parsing it, then cleaning and chunking it — in a worker thread with a time and memory
 * budget (limits.ts). A synchronous parser cannot be interrupted from its own thread; a worker can be terminated
 * whatever it is doing. A file whose work passes the budget, or runs out of its worker's memory, or whose parser
 * throws, is skipped with the reason, the worker is replaced, and the ingest goes on with the next file.
 *
 * One FileWorker runs one job at a time (calls queue). It is the one place that runs a file's work, so spreading an
 * ingest over several threads means holding several FileWorkers and handing each file to one of them (file-pool.ts).
 * What a later stage computes of each document off the main thread (its vectors, its words for the retrieval tables)
 * runs here too, as an extension the caller names, within the same budget.
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

/** A prepared document, with what the worker's extension computed of it. */
export type ExtendedDocument = PreparedDocument & { extension?: unknown };

/**
 * A module a file worker loads once, whose `extend(data)` gives the function run on every prepared document with its
 * job's input. Named by URL, so the ingest stage runs a later stage's work without importing it.
 */
export interface WorkerExtension {
  module: string;
  data: unknown;
}

/** What an extension returns: a value posted back with the document, and buffers to move rather than copy. */
export interface Extended {
  value: unknown;
  transfer?: ArrayBuffer[];
}

export type Extend = (doc: PreparedDocument, input: unknown) => Extended | Promise<Extended>;

type Job =
  | { kind: 'parse'; type: string; text: string }
  | { kind: 'prepare'; source: string; parsed: ParsedText; furniture?: string[]; input?: unknown };

type Reply = { id: number; result: ParsedText | ExtendedDocument | Skip } | { id: number; error: string };

export interface FileWorkerOptions {
  timeBudgetMs?: number;
  memoryMb?: number;
  extension?: WorkerExtension;
  /** Time each file's work has taken so far, shared by the workers of a pool: parsing and preparing share one budget. */
  spent?: Map<string, number>;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

export class FileWorker {
  readonly #timeBudgetMs: number;
  readonly #memoryMb: number;
  readonly #extension: WorkerExtension | undefined;
  #worker: Worker | null = null;
  /** The furniture the worker holds; sent again to a replacement worker. */
  #furniture: string[] = [];
  #furnitureSent = false;
  #ready: Promise<void> = Promise.resolve();
  #queue: Promise<unknown> = Promise.resolve();
  #next = 0;
  /** Jobs given and not yet finished: a pool hands the next file to the worker with the fewest. */
  pending = 0;
  /** Time each file's work has taken so far: parsing and cleaning share one budget. */
  readonly #spent: Map<string, number>;

  constructor(options: FileWorkerOptions = {}) {
    this.#timeBudgetMs = options.timeBudgetMs ?? FILE_TIME_BUDGET_MS;
    this.#memoryMb = options.memoryMb ?? FILE_MEMORY_MB;
    this.#extension = options.extension;
    this.#spent = options.spent ?? new Map();
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

  /** The parsed file cleaned and chunked (and extended with `input`), or why it is skipped. */
  prepare(source: string, parsed: ParsedText, signal?: AbortSignal, input?: unknown): Promise<ExtendedDocument | Skip> {
    return this.#run(source, { kind: 'prepare', source, parsed, input }, signal) as Promise<ExtendedDocument | Skip>;
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    await worker?.terminate();
  }

  #run(source: string, job: Job, signal?: AbortSignal): Promise<ParsedText | ExtendedDocument | Skip> {
    this.pending++;
    const run = this.#queue.then(() => this.#runNow(source, job, signal)).finally(() => this.pending--);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #runNow(source: string, job: Job, signal?: AbortSignal): Promise<ParsedText | ExtendedDocument | Skip> {
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
      return await new Promise<ParsedText | ExtendedDocument | Skip>((resolve, reject) => {
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
        workerData: { fileWorker: true, extension: this.#extension },
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

async function work(job: Job, furniture: Set<string>, extend: Extend | null): Promise<{ result: ParsedText | ExtendedDocument | Skip; transfer: ArrayBuffer[] }> {
  if (job.kind === 'parse') {
    const problem = shapeProblem(formatOf(job.type), job.text);
    return { result: problem ? { skipped: problem } : await parseByType(job.type, job.text), transfer: [] };
  }
  const cleaned = cleanDocument(job.parsed.text, { ...job.parsed, furniture });
  const { title, date, text, sections, placeholders } = cleaned;
  const prepared: PreparedDocument = { title, ...(date ? { date } : {}), text, sections, placeholders, chunks: chunkDocument(job.source, cleaned) };
  if (!extend) return { result: prepared, transfer: [] };
  const extended = await extend(prepared, job.input);
  return { result: { ...prepared, extension: extended.value }, transfer: extended.transfer ?? [] };
}

async function serve(extension?: WorkerExtension): Promise<void> {
  const port = parentPort!;
  const extend = extension ? await ((await import(extension.module)) as { extend: (data: unknown) => Extend | Promise<Extend> }).extend(extension.data) : null;
  port.postMessage(READY);
  let furniture = new Set<string>();
  port.on('message', async ({ id, job }: { id: number; job: Job }) => {
    if (job.kind === 'prepare' && job.furniture) furniture = new Set(job.furniture);
    try {
      const { result, transfer } = await work(job, furniture, extend);
      port.postMessage({ id, result } satisfies Reply, transfer);
    } catch (e) {
      port.postMessage({ id, error: e instanceof Error ? e.message.split('\n')[0]! : String(e) } satisfies Reply);
    }
  });
}

const data = workerData as { fileWorker?: boolean; extension?: WorkerExtension } | null;
if (!isMainThread && data?.fileWorker) void serve(data.extension);
