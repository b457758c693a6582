/**
 * The conversations the bot holds in threads: each thread it opened under a public answer (or answered in) keeps its
 * last few turns, so a message there is read as a follow-up. Memory only, by design: a thread's conversation ends
 * when the thread is archived or deleted, or when the bot restarts.
 */
import { withTurn, type Answer, type Turn } from '../rag/types.js';
import { truncate } from './render.js';

/** Discord's limit on a thread name. */
const THREAD_NAME_CHARS = 100;
/** Threads remembered at once; the least recently used is forgotten first. */
const MAX_THREADS = 1000;

export class ThreadConversations {
  private readonly threads = new Map<string, Turn[]>();

  constructor(private readonly maxThreads = MAX_THREADS) {}

  has(threadId: string): boolean {
    return this.threads.has(threadId);
  }

  history(threadId: string): Turn[] {
    return this.threads.get(threadId) ?? [];
  }

  remember(threadId: string, answer: Answer): void {
    const turns = withTurn(this.history(threadId), answer);
    // Re-inserted at the end: Map order is then least recently used first.
    this.threads.delete(threadId);
    this.threads.set(threadId, turns);
    if (this.threads.size > this.maxThreads) this.threads.delete(this.threads.keys().next().value!);
  }

  forget(threadId: string): void {
    this.threads.delete(threadId);
  }
}

/** A thread is named after the question that opened it. */
export function threadName(question: string): string {
  return truncate(question.replace(/\s+/g, ' ').trim(), THREAD_NAME_CHARS);
}
