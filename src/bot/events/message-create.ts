/** Messages: a mention of the bot, a follow-up in a thread where it holds a conversation, or (when enabled) a DM. */
import { Events, type Message } from 'discord.js';
import { defineEvent } from '../context.js';
import { failureLine } from '../failure.js';
import { answerMention, isAddressedToBot } from '../mention.js';
import { renderLine } from '../render.js';

const elapsedMs = (since: number) => Math.round(performance.now() - since);

export default defineEvent(Events.MessageCreate, async (ctx, message: Message) => {
  const botId = message.client.user?.id;
  if (!botId || !isAddressedToBot(message, botId, ctx)) return;
  const started = performance.now();
  const base = { user: message.author.id, guild: message.guildId, channel: message.channelId, command: 'mention' };
  try {
    const fields = await answerMention(message, botId, ctx);
    ctx.logger.info({ ...base, ms: elapsedMs(started), outcome: 'ok', ...fields }, 'command handled');
  } catch (error) {
    const line = failureLine(error, ctx.logger, { ...base, ms: elapsedMs(started) });
    await message.reply(renderLine(line)).catch((err: unknown) => ctx.logger.warn({ err, ...base }, 'could not tell the user about a failure'));
  }
});
