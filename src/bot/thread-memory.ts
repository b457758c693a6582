/**
 * The conversations the bot holds in threads, kept in `DATA_DIR/threads.json` so a restarted bot goes on where it
 * stopped. Each person in a thread has a history of their own: one person's "and Togo?" is read against their own
 * last question, however many others ask in the thread meanwhile. Someone who has not asked there yet continues the
 * question that opened the thread, which is what the thread is named after.
 *
 * Bounded three ways: the last MAX_TURNS turns per person, conversations unused for longer than the configured age
 * are forgotten, and at most MAX_THREADS threads (the least recently used go first). A thread's conversation also
 * ends when the thread is archived or deleted.
 */
import { join } from 'node:path';
import * as z from 'zod';
import { withTurn, type Answer, type Turn } from '../rag/types.js';
import { StateFile } from './state-file.js';

/** Threads remembered at once; the least recently used is forgotten first. */
const MAX_THREADS = 1000;
/** People remembered per thread: a thread is a conversation among a few, not a channel. */
const MAX_PEOPLE = 50;

const turn = z.object({ question: z.string(), answer: z.string(), sources: z.array(z.string()) });
const stored = z.object({
  version: z.literal(1),
  threads: z.record(
    z.string(),
    z.object({
      opening: turn,
      at: z.number(),
      people: z.record(z.string(), z.object({ turns: z.array(turn), at: z.number() })),
    }),
  ),
});
type Stored = z.infer<typeof stored>;
type ThreadRecord = Stored['threads'][string];

/** Keeps the `limit` entries of a record with the latest `at`. */
function latest<T extends { at: number }>(entries: Record<string, T>, limit: number): Record<string, T> {
  const all = Object.entries(entries);
  if (all.length <= limit) return entries;
  return Object.fromEntries(all.sort((a, b) => b[1].at - a[1].at).slice(0, limit));
}

export class ThreadMemory {
  private constructor(
    private readonly file: StateFile<Stored>,
    private threads: Record<string, ThreadRecord>,
    private readonly maxAgeMs: number,
    private readonly now: () => number,
  ) {}

  /** Reads what an earlier run kept; a missing or unreadable file starts with no conversations. */
  static async open(dataDir: string, maxAgeMs: number, now: () => number = Date.now): Promise<ThreadMemory> {
    const file = new StateFile<Stored>(join(dataDir, 'threads.json'));
    const parsed = stored.safeParse(await file.read());
    const memory = new ThreadMemory(file, parsed.success ? parsed.data.threads : {}, maxAgeMs, now);
    memory.dropExpired();
    return memory;
  }

  get path(): string {
    return this.file.path;
  }

  private dropExpired(): boolean {
    const oldest = this.now() - this.maxAgeMs;
    let dropped = false;
    for (const [id, thread] of Object.entries(this.threads)) {
      if (thread.at >= oldest) continue;
      delete this.threads[id];
      dropped = true;
    }
    return dropped;
  }

  private live(threadId: string): ThreadRecord | undefined {
    const thread = this.threads[threadId];
    return thread && thread.at >= this.now() - this.maxAgeMs ? thread : undefined;
  }

  /** Whether the bot holds a conversation in this thread (messages there are follow-ups). */
  has(threadId: string): boolean {
    return !!this.live(threadId);
  }

  /** What `userId`'s next message in the thread follows: their own turns, or the question that opened the thread. */
  history(threadId: string, userId: string): Turn[] {
    const thread = this.live(threadId);
    if (!thread) return [];
    const own = thread.people[userId];
    return own && own.at >= this.now() - this.maxAgeMs ? own.turns : [thread.opening];
  }

  /** Adds `answer` to `userId`'s conversation in the thread (opening the thread's conversation if it is new). */
  async remember(threadId: string, userId: string, answer: Answer): Promise<void> {
    const at = this.now();
    const thread = this.live(threadId);
    const turns = withTurn(thread ? this.history(threadId, userId) : [], answer);
    const people = { ...(thread?.people ?? {}), [userId]: { turns, at } };
    this.threads[threadId] = { opening: thread?.opening ?? turns.at(-1)!, at, people: latest(people, MAX_PEOPLE) };
    this.dropExpired();
    this.threads = latest(this.threads, MAX_THREADS);
    await this.save();
  }

  async forget(threadId: string): Promise<void> {
    if (!(threadId in this.threads)) return;
    delete this.threads[threadId];
    await this.save();
  }

  /** Resolves once the last change is on disk. */
  settled(): Promise<void> {
    return this.file.settled();
  }

  private save(): Promise<void> {
    return this.file.write({ version: 1, threads: this.threads });
  }
}
