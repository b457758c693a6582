/**
 * Several file workers (file-worker.ts), one per core the machine offers, so that an ingest parses, cleans, chunks and
 * embeds on all of them. Each file goes to the worker with the fewest jobs waiting; what a file gives does not depend
 * on which worker read it, and callers take the results in the corpus's order, so the index is the same whatever the
 * pool's size. A file's parse and its preparation may run on different workers: they share one time budget.
 */
import { availableParallelism } from 'node:os';
import type { ParsedText } from './parsed.js';
import { FileWorker, type ExtendedDocument, type FileWorkerOptions, type Skip } from './file-worker.js';

/** One worker per core: the main thread's share of an ingest (ordering, tables, the vector index) is the smaller. */
export const defaultPoolSize = () => availableParallelism();

export class FilePool {
  readonly #workers: FileWorker[];

  constructor(size = defaultPoolSize(), options: Omit<FileWorkerOptions, 'spent'> = {}) {
    const spent = new Map<string, number>();
    this.#workers = Array.from({ length: Math.max(1, size) }, () => new FileWorker({ ...options, spent }));
  }

  get size(): number {
    return this.#workers.length;
  }

  /** The worker with the fewest jobs waiting (the first of those, so a pool of one is a single worker). */
  #idlest(): FileWorker {
    return this.#workers.reduce((best, w) => (w.pending < best.pending ? w : best));
  }

  parse(source: string, type: string, text: string, signal?: AbortSignal): Promise<ParsedText | Skip> {
    return this.#idlest().parse(source, type, text, signal);
  }

  setFurniture(furniture: Iterable<string>): void {
    const lines = [...furniture];
    for (const w of this.#workers) w.setFurniture(lines);
  }

  prepare(source: string, parsed: ParsedText, signal?: AbortSignal, input?: unknown): Promise<ExtendedDocument | Skip> {
    return this.#idlest().prepare(source, parsed, signal, input);
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.close()));
  }
}
