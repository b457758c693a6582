/**
 * Questions asked in messages: mentioning the bot in a channel or thread, any message in a thread where the bot
 * holds a conversation (a follow-up needs no mention), or (when enabled) a DM.
 */
import type { Message } from 'discord.js';
import { answerQuestion, askRefusal, openConversation, scopeHere } from './asking.js';
import type { BotContext, LogFields } from './context.js';
import { NO_PINGS, renderLine } from './render.js';

/** A message in a thread where the bot holds a conversation: a follow-up, answered without a mention. */
function isFollowUp(message: Message, ctx: BotContext): boolean {
  return ctx.config.discord.threadFollowups && message.channel.isThread() && ctx.memory.has(message.channelId);
}

/** Whether the bot should answer this message; mentions through @everyone or a role do not count. */
export function isAddressedToBot(message: Message, botId: string, ctx: BotContext): boolean {
  if (message.author.bot || message.system) return false;
  if (!message.inGuild()) return ctx.config.discord.answerDms;
  return (ctx.config.discord.answerMentions && message.mentions.users.has(botId)) || isFollowUp(message, ctx);
}

/** The question with the bot's own mention taken out. */
export function questionOf(message: Message, botId: string): string {
  return message.content.replace(new RegExp(`<@!?${botId}>`, 'g'), ' ').trim();
}

export async function answerMention(message: Message, botId: string, ctx: BotContext): Promise<LogFields> {
  const question = questionOf(message, botId);
  const followUp = isFollowUp(message, ctx);
  if (!question) {
    // A picture or a sticker posted in the thread is not a question; only a bare mention asks for help.
    if (!message.mentions.users.has(botId)) return { outcome: 'ignored' };
    await message.reply(renderLine('Ask me a question after the mention, e.g. “@me what did Lavrov discuss in Mali?” — or try `/help`.'));
    return { outcome: 'empty' };
  }
  const refusal = askRefusal(message.author.id, ctx);
  if (refusal) {
    await message.reply(renderLine(refusal));
    return { outcome: 'rate_limited' };
  }
  if ('sendTyping' in message.channel) await message.channel.sendTyping();
  // In a thread each person continues their own conversation (issue: six people asking at once in one thread).
  const history = followUp ? ctx.memory.history(message.channelId, message.author.id) : undefined;
  const scope = scopeHere(message.channel, message.channelId, ctx);
  const { answer, payload, fields } = await answerQuestion(question, ctx, { channelId: message.channelId, history, scope });
  const reply = await message.reply({ ...payload, allowedMentions: NO_PINGS });
  const thread = message.inGuild() ? await openConversation(reply, answer, message.author.id, ctx) : null;
  return { ...fields, followUp, thread };
}
