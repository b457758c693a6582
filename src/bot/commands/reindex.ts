import { InteractionContextType, MessageFlags, PermissionFlagsBits, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { claimIngest } from '../admin.js';
import type { BotContext, LogFields } from '../context.js';
import { progressLine } from '../progress.js';
import { renderReindexReport } from '../render.js';

export const data = new SlashCommandBuilder()
  .setName('reindex')
  .setDescription('Re-read the corpus and rebuild the index (server managers only).')
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setContexts(InteractionContextType.Guild);

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<LogFields> {
  const claim = await claimIngest(interaction, ctx, 're-index');
  if (!claim) return { outcome: 'refused' };
  // Released as soon as the ingest ends, before the report is sent: whoever sees the report can start the next run.
  try {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const progress = progressLine(interaction, ctx, 'Re-indexing');
    const report = await ctx.engine.reindex((p) => progress.onIngest(p));
    claim.release(true);
    await progress.settled();
    await interaction.editReply(renderReindexReport(report));
    return { documents: report.documents.length, chunks: report.chunks, ingestMs: report.ms };
  } finally {
    claim.release(false);
  }
}
