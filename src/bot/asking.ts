/** Answering one question, shared by `/ask` and mentions. */
import { randomBytes } from 'node:crypto';
import type { BotContext, LogFields } from './context.js';
import { renderAnswer } from './render.js';

/** Polite refusal for a user over the per-minute question budget, or null when they may ask. */
export function askRefusal(userId: string, ctx: BotContext): string | null {
  const waitMs = ctx.askLimiter.take(userId);
  if (!waitMs) return null;
  const limit = ctx.config.discord.askRatePerMinute;
  return `You have asked ${limit} questions in the last minute — please wait ${Math.ceil(waitMs / 1000)} s before the next one.`;
}

export async function answerQuestion(question: string, ctx: BotContext) {
  const answerId = randomBytes(6).toString('base64url');
  const answer = await ctx.engine.ask(question);
  const fields: LogFields = {
    answerId,
    // With the answer id from a feedback record, this finds the full question even when the embed title cut it.
    question: answer.question,
    status: answer.status,
    citations: answer.citations.length,
    flags: answer.flags.length,
    engineMs: answer.timings.totalMs,
  };
  return { payload: renderAnswer(answer, answerId), fields };
}
