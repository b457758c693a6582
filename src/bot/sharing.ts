/**
 * Private answers that their asker may still share with the channel, by answer id. What is shared is the answer as
 * the engine gave it, re-rendered, so the public message carries the same citations and flags, and a shared `/ask`
 * opens its thread with the real turn. Kept in memory and bounded: after a restart, or once MAX_PENDING newer
 * private answers came, the button says the answer can no longer be shared and how to ask publicly.
 */
import type { Answer, Summary } from '../rag/types.js';

/** Private answers that can be shared at once; the oldest is dropped first. */
const MAX_PENDING = 500;

export type Shareable =
  | { kind: 'answer'; userId: string; answer: Answer; lead?: string }
  | { kind: 'summary'; userId: string; summary: Summary; heading: string };

export type ShareClaim = { ok: true; item: Shareable } | { ok: false; reason: string };

export class SharedAnswers {
  private readonly pending = new Map<string, Shareable>();
  private readonly shared = new Set<string>();

  offer(answerId: string, item: Shareable): void {
    this.pending.set(answerId, item);
    if (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
  }

  /**
   * Takes the answer for sharing by `userId`: once, and only by the one who asked. Claimed before any await, so a
   * double click cannot post it twice.
   */
  claim(answerId: string, userId: string): ShareClaim {
    if (this.shared.has(answerId)) return { ok: false, reason: 'This answer is already shared with the channel.' };
    const item = this.pending.get(answerId);
    if (!item) return { ok: false, reason: 'This answer can no longer be shared (the bot restarted since). Ask again with `public:true` to show it to the channel.' };
    if (item.userId !== userId) return { ok: false, reason: 'Only the person who asked can share this answer.' };
    this.pending.delete(answerId);
    this.shared.add(answerId);
    if (this.shared.size > MAX_PENDING) this.shared.delete(this.shared.values().next().value!);
    return { ok: true, item };
  }

  /** Puts back a claim whose post failed, so the asker can try again. */
  release(answerId: string, item: Shareable): void {
    this.shared.delete(answerId);
    this.pending.set(answerId, item);
  }
}
