/** Questions asked by mentioning the bot in a channel or thread, or (when enabled) in a DM. */
import type { Message } from 'discord.js';
import { answerQuestion, askRefusal } from './asking.js';
import type { BotContext, LogFields } from './context.js';
import { NO_PINGS, renderLine } from './render.js';

/** Whether the bot should answer this message; mentions through @everyone or a role do not count. */
export function isAddressedToBot(message: Message, botId: string, ctx: BotContext): boolean {
  if (message.author.bot) return false;
  if (!message.inGuild()) return ctx.config.discord.answerDms;
  return ctx.config.discord.answerMentions && message.mentions.users.has(botId);
}

/** The question with the bot's own mention taken out. */
export function questionOf(message: Message, botId: string): string {
  return message.content.replace(new RegExp(`<@!?${botId}>`, 'g'), ' ').trim();
}

export async function answerMention(message: Message, botId: string, ctx: BotContext): Promise<LogFields> {
  const question = questionOf(message, botId);
  if (!question) {
    await message.reply(renderLine('Ask me a question after the mention, e.g. “@me what did Lavrov discuss in Mali?” — or try `/help`.'));
    return { outcome: 'empty' };
  }
  const refusal = askRefusal(message.author.id, ctx);
  if (refusal) {
    await message.reply(renderLine(refusal));
    return { outcome: 'rate_limited' };
  }
  if ('sendTyping' in message.channel) await message.channel.sendTyping();
  const { payload, fields } = await answerQuestion(question, ctx);
  await message.reply({ ...payload, allowedMentions: NO_PINGS });
  return fields;
}
