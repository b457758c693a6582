/** Answering one question, shared by `/ask`, mentions and follow-ups in threads. */
import { randomBytes } from 'node:crypto';
import { ChannelType, type Message } from 'discord.js';
import type { Answer, Turn } from '../rag/types.js';
import type { BotContext, LogFields } from './context.js';
import { threadName } from './conversations.js';
import { renderAnswer } from './render.js';

/** Polite refusal for a user over the per-minute question budget, or null when they may ask. */
export function askRefusal(userId: string, ctx: BotContext): string | null {
  const waitMs = ctx.askLimiter.take(userId);
  if (!waitMs) return null;
  const limit = ctx.config.discord.askRatePerMinute;
  return `You have asked ${limit} questions in the last minute — please wait ${Math.ceil(waitMs / 1000)} s before the next one.`;
}

/** `history`: the thread's earlier turns when the question is a follow-up. A not-found answer goes to the gap log. */
export async function answerQuestion(question: string, ctx: BotContext, where: { channelId: string | null; history?: Turn[] }) {
  const answerId = randomBytes(6).toString('base64url');
  const answer = await ctx.engine.ask(question, { history: where.history });
  const fields: LogFields = {
    answerId,
    // With the answer id from a feedback record, this finds the full question even when the embed title cut it.
    question: answer.question,
    ...(answer.understood ? { understood: answer.understood } : {}),
    status: answer.status,
    citations: answer.citations.length,
    flags: answer.flags.length,
    engineMs: answer.timings.totalMs,
  };
  if (answer.status === 'not_found') {
    const record = { time: new Date().toISOString(), kind: 'not_found' as const, question: answer.understood ?? answer.question, answerId, channelId: where.channelId };
    await ctx.gaps.append(record).catch((err: unknown) => ctx.logger.warn({ err, answerId }, 'could not write to the gap log'));
  }
  return { answer, payload: renderAnswer(answer, answerId), fields };
}

/**
 * Makes a public answer the start of a conversation: a thread named after the question opens under it (or, when it
 * was asked inside a thread, that thread goes on). Returns the thread's id, or null when follow-ups are off or
 * the thread could not be opened (the answer then stands alone).
 */
export async function openConversation(reply: Message, answer: Answer, ctx: BotContext): Promise<string | null> {
  // A reply in a channel the bot does not hold in its cache (an app installed by a user) cannot open a thread.
  if (!ctx.config.discord.threadFollowups || !reply.inGuild() || !reply.channel) return null;
  if (reply.channel.isThread()) {
    ctx.conversations.remember(reply.channelId, answer);
    return reply.channelId;
  }
  if (reply.channel.type !== ChannelType.GuildText && reply.channel.type !== ChannelType.GuildAnnouncement) return null;
  try {
    const thread = await reply.startThread({ name: threadName(answer.question) });
    ctx.conversations.remember(thread.id, answer);
    return thread.id;
  } catch (err) {
    ctx.logger.warn({ err, channel: reply.channelId }, 'could not open a thread under the answer; it stays single-turn');
    return null;
  }
}
