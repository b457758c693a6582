/**
 * 👍/👎 clicks under answers, appended as JSON lines to `<dataDir>/feedback.jsonl` so the team can find answers that
 * failed. Records hold Discord user ids, never names. A 👎 is recorded when clicked; the reason its voter then types
 * (if any) follows as a second record of the same answer and user, carrying `reason`.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

export type Vote = 'up' | 'down';

export interface FeedbackRecord {
  time: string;
  answerId: string;
  question: string;
  userId: string;
  vote: Vote;
  /** What was wrong, in the voter's words (a 👎's optional line). */
  reason?: string;
}

export class FeedbackLog {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'feedback.jsonl');
  }

  async append(record: FeedbackRecord): Promise<void> {
    await mkdir(join(this.path, '..'), { recursive: true });
    // One write per line with O_APPEND: concurrent clicks never interleave inside a record.
    await appendFile(this.path, `${JSON.stringify(record)}\n`, 'utf8');
  }
}

export function feedbackId(vote: Vote, answerId: string): string {
  return `feedback:${vote}:${answerId}`;
}

/** Reads what `feedbackId` wrote; null for any other custom id. */
export function parseFeedbackId(customId: string): { vote: Vote; answerId: string } | null {
  const m = /^feedback:(up|down):([\w-]+)$/.exec(customId);
  return m ? { vote: m[1] as Vote, answerId: m[2]! } : null;
}

/** The 👎 form's custom id: the answer the reason is about. */
export const reasonFormId = (answerId: string) => `feedback:reason:${answerId}`;

export function parseReasonFormId(customId: string): string | null {
  return /^feedback:reason:([\w-]+)$/.exec(customId)?.[1] ?? null;
}
