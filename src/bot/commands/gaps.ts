import {
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { gapReport, sinceDate } from '../../gap-report.js';
import { scopeHere } from '../asking.js';
import type { BotContext, LogFields } from '../context.js';
import { renderGaps } from '../render.js';
import { refusedToNonAdmin } from '../admin.js';

export const data = new SlashCommandBuilder()
  .setName('gaps')
  .setDescription('Questions the corpus could not answer, grouped by subject (server managers only).')
  .addStringOption((o) => o.setName('since').setDescription('How far back: 7d (default), 24h, 2w…').setMaxLength(10))
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setContexts(InteractionContextType.Guild);

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<LogFields> {
  // Questions people asked are for the people who run the corpus: the same check as /reindex.
  if (await refusedToNonAdmin(interaction, ctx, 'see the gap report')) return { outcome: 'refused' };
  const span = interaction.options.getString('since') ?? '7d';
  const since = sinceDate(span);
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  // In a scoped channel, that scope's gaps only, measured against its own documents.
  const scope = scopeHere(interaction.channel, interaction.channelId, ctx);
  const groups = await gapReport(ctx.engine, await ctx.gaps.read(since, scope), scope);
  await interaction.editReply(renderGaps(groups, span));
  return { groups: groups.length };
}
