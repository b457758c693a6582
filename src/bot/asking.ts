/** Answering one question, shared by `/ask`, mentions, follow-ups in threads, the message menu and sharing. */
import { randomBytes } from 'node:crypto';
import { ChannelType, type Channel, type Message } from 'discord.js';
import type { Answer, Scope, Turn } from '../rag/types.js';
import type { BotContext, LogFields } from './context.js';
import { renderAnswer, truncate } from './render.js';
import { placeOf } from './scopes.js';

/** Discord's limit on a thread name. */
const THREAD_NAME_CHARS = 100;

/** A thread is named after the question that opened it. */
export function threadName(question: string): string {
  return truncate(question.replace(/\s+/g, ' ').trim(), THREAD_NAME_CHARS);
}

/** Polite refusal for a user over the per-minute question budget, or null when they may ask. */
export function askRefusal(userId: string, ctx: BotContext): string | null {
  const waitMs = ctx.askLimiter.take(userId);
  if (!waitMs) return null;
  const limit = ctx.config.discord.askRatePerMinute;
  return `You have asked ${limit} questions in the last minute — please wait ${Math.ceil(waitMs / 1000)} s before the next one.`;
}

/** The corpus subfolders a channel (or a thread in it) may draw on, or undefined for all of it. */
export function scopeHere(channel: Channel | null | undefined, channelId: string | null, ctx: BotContext): Scope | undefined {
  return ctx.scopes.scopeOf(placeOf(channel, channelId));
}

export const newAnswerId = () => randomBytes(6).toString('base64url');

export interface Asked {
  channelId: string | null;
  /** The asker's earlier turns when the question is a follow-up. */
  history?: Turn[];
  scope?: Scope;
  /** Private answers carry a share button. */
  shareable?: boolean;
  /** A line above the answer saying how the text was taken (a claim looked up rather than a question). */
  lead?: string;
}

/** A not-found answer goes to the gap log, with the scope it was asked in. */
export async function answerQuestion(question: string, ctx: BotContext, where: Asked) {
  const answerId = newAnswerId();
  const answer = await ctx.engine.ask(question, { history: where.history, scope: where.scope });
  const fields: LogFields = {
    answerId,
    // With the answer id from a feedback record, this finds the full question even when the embed title cut it.
    question: answer.question,
    ...(answer.understood ? { understood: answer.understood } : {}),
    status: answer.status,
    citations: answer.citations.length,
    flags: answer.flags.length,
    engineMs: answer.timings.totalMs,
    ...(where.scope ? { scope: where.scope } : {}),
  };
  if (answer.status === 'not_found') {
    const record = {
      time: new Date().toISOString(),
      kind: 'not_found' as const,
      question: answer.understood ?? answer.question,
      answerId,
      channelId: where.channelId,
      ...(where.scope ? { scope: [...where.scope] } : {}),
    };
    await ctx.gaps.append(record).catch((err: unknown) => ctx.logger.warn({ err, answerId }, 'could not write to the gap log'));
  }
  const payload = renderAnswer(answer, answerId, { shareable: where.shareable, lead: where.lead });
  return { answerId, answer, payload, fields };
}

/**
 * Makes a public answer the start of a conversation: a thread named after the question opens under it (or, when it
 * was asked inside a thread, that thread goes on), and the answer becomes `userId`'s turn there. Returns the
 * thread's id, or null when follow-ups are off or the thread could not be opened (the answer then stands alone).
 */
export async function openConversation(reply: Message, answer: Answer, userId: string, ctx: BotContext): Promise<string | null> {
  // A reply in a channel the bot does not hold in its cache (an app installed by a user) cannot open a thread.
  if (!ctx.config.discord.threadFollowups || !reply.inGuild() || !reply.channel) return null;
  if (reply.channel.isThread()) {
    await remember(reply.channelId, userId, answer, ctx);
    return reply.channelId;
  }
  if (reply.channel.type !== ChannelType.GuildText && reply.channel.type !== ChannelType.GuildAnnouncement) return null;
  try {
    const thread = await reply.startThread({ name: threadName(answer.question) });
    await remember(thread.id, userId, answer, ctx);
    return thread.id;
  } catch (err) {
    ctx.logger.warn({ err, channel: reply.channelId }, 'could not open a thread under the answer; it stays single-turn');
    return null;
  }
}

/** A turn that cannot be written to DATA_DIR is still answered; the thread then forgets it on restart. */
export async function remember(threadId: string, userId: string, answer: Answer, ctx: BotContext): Promise<void> {
  await ctx.memory.remember(threadId, userId, answer).catch((err: unknown) => ctx.logger.warn({ err, thread: threadId }, 'could not keep the thread conversation'));
}
