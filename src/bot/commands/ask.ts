import { MessageFlags, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { answerQuestion, askRefusal, openConversation, scopeHere } from '../asking.js';
import type { BotContext, LogFields } from '../context.js';
import { renderLine } from '../render.js';

export const data = new SlashCommandBuilder()
  .setName('ask')
  .setDescription('Ask about the news corpus; the answer quotes and cites its sources.')
  .addStringOption((o) => o.setName('question').setDescription('Your question').setRequired(true).setMaxLength(2000))
  .addBooleanOption((o) =>
    o.setName('public').setDescription('Show the answer to the whole channel, in a thread for follow-ups (default: only you)'),
  );

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<LogFields> {
  const refusal = askRefusal(interaction.user.id, ctx);
  if (refusal) {
    await interaction.reply({ ...renderLine(refusal), flags: MessageFlags.Ephemeral });
    return { outcome: 'rate_limited' };
  }
  const isPublic = interaction.options.getBoolean('public') ?? false;
  // Discord allows 3 s before the first response; retrieval can take longer, so acknowledge first.
  await interaction.deferReply(isPublic ? {} : { flags: MessageFlags.Ephemeral });
  // A private answer stays private and single-turn; a public one asked in a conversation's thread continues the asker's.
  const { channelId } = interaction;
  const history = isPublic && channelId && ctx.memory.has(channelId) ? ctx.memory.history(channelId, interaction.user.id) : undefined;
  const scope = scopeHere(interaction.channel, channelId, ctx);
  const question = interaction.options.getString('question', true);
  const { answerId, answer, payload, fields } = await answerQuestion(question, ctx, { channelId, history, scope, shareable: !isPublic });
  if (!isPublic) ctx.shares.offer(answerId, { kind: 'answer', userId: interaction.user.id, answer });
  const reply = await interaction.editReply(payload);
  const thread = isPublic ? await openConversation(reply, answer, interaction.user.id, ctx) : null;
  return { ...fields, thread };
}
