import { MessageFlags, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { answerQuestion, askRefusal } from '../asking.js';
import type { BotContext, LogFields } from '../context.js';
import { renderLine } from '../render.js';

export const data = new SlashCommandBuilder()
  .setName('ask')
  .setDescription('Ask about the news corpus; the answer quotes and cites its sources.')
  .addStringOption((o) => o.setName('question').setDescription('Your question').setRequired(true).setMaxLength(2000))
  .addBooleanOption((o) => o.setName('public').setDescription('Show the answer to the whole channel (default: only you)'));

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<LogFields> {
  const refusal = askRefusal(interaction.user.id, ctx);
  if (refusal) {
    await interaction.reply({ ...renderLine(refusal), flags: MessageFlags.Ephemeral });
    return { outcome: 'rate_limited' };
  }
  const isPublic = interaction.options.getBoolean('public') ?? false;
  // Discord allows 3 s before the first response; retrieval can take longer, so acknowledge first.
  await interaction.deferReply(isPublic ? {} : { flags: MessageFlags.Ephemeral });
  const { payload, fields } = await answerQuestion(interaction.options.getString('question', true), ctx);
  await interaction.editReply(payload);
  return fields;
}
