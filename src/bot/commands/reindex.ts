import {
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type ChatInputCommandInteraction,
} from 'discord.js';
import type { IngestProgress } from '../../rag/types.js';
import type { BotContext, LogFields } from '../context.js';
import { fileName } from '../escape.js';
import { renderLine, renderReindexReport } from '../render.js';
import { isAdmin } from '../admin.js';

export const data = new SlashCommandBuilder()
  .setName('reindex')
  .setDescription('Re-read the corpus and rebuild the index (server managers only).')
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setContexts(InteractionContextType.Guild);


/** Progress edits are cosmetic; at most one every few seconds keeps well inside Discord's rate limits. */
const PROGRESS_EVERY_MS = 3_000;

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<LogFields> {
  if (!isAdmin(interaction, ctx.config.discord.adminRoleIds)) {
    const line = 'Only members with Manage Server (or a role listed in ADMIN_ROLE_IDS) can re-index.';
    await interaction.reply({ ...renderLine(line), flags: MessageFlags.Ephemeral });
    return { outcome: 'refused' };
  }
  const refusal = ctx.reindex.tryStart();
  if (refusal) {
    await interaction.reply({ ...renderLine(refusal), flags: MessageFlags.Ephemeral });
    return { outcome: 'refused' };
  }
  // Released as soon as the ingest ends, before the report is sent: whoever sees the report can start the next run.
  let released = false;
  const release = (completed: boolean) => {
    if (!released) ctx.reindex.finish(completed);
    released = true;
  };
  try {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    let shownAt = Date.now();
    let progressEdits = Promise.resolve();
    const onProgress = (p: IngestProgress) => {
      if (Date.now() - shownAt < PROGRESS_EVERY_MS) return;
      shownAt = Date.now();
      const line = `Re-indexing… ${p.stage} ${p.done}/${p.total}${p.source ? ` (${fileName(p.source)})` : ''}. The current index keeps answering meanwhile.`;
      progressEdits = progressEdits
        .then(() => interaction.editReply(renderLine(line)))
        .then(
          () => undefined,
          (err: unknown) => ctx.logger.warn({ err, interaction: interaction.id }, 'progress edit failed'),
        );
    };
    const report = await ctx.engine.reindex(onProgress);
    release(true);
    await progressEdits;
    await interaction.editReply(renderReindexReport(report));
    return { documents: report.documents.length, chunks: report.chunks, ingestMs: report.ms };
  } finally {
    release(false);
  }
}
