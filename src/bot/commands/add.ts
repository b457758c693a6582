/**
 * `/add`: an admin adds one to five articles from chat. Each attachment is judged by its type and size before it is
 * downloaded, fetched from Discord's attachment servers only, then handed to the engine, which applies the corpus's
 * own rules, saves it under a safe name and ingests it while questions keep being answered.
 */
import { extname } from 'node:path';
import {
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type Attachment,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { DOCUMENT_TYPES, MAX_DOCUMENT_BYTES, type AddedDocument, type NewDocument } from '../../rag/types.js';
import { claimIngest } from '../admin.js';
import { fetchAttachment } from '../attachments.js';
import type { BotContext, LogFields } from '../context.js';
import { progressLine } from '../progress.js';
import { renderAddReport } from '../render.js';

/** Discord's own limit on options of one command is 25; five files keep one reply readable. */
const FILE_OPTIONS = ['file', 'file2', 'file3', 'file4', 'file5'] as const;

export const data = new SlashCommandBuilder()
  .setName('add')
  .setDescription('Add articles (.txt, .md, .html, up to 5 MB each) to the corpus (server managers only).')
  .addAttachmentOption((o) => o.setName('file').setDescription('An article: .txt, .md or .html').setRequired(true))
  .addAttachmentOption((o) => o.setName('file2').setDescription('Another article'))
  .addAttachmentOption((o) => o.setName('file3').setDescription('Another article'))
  .addAttachmentOption((o) => o.setName('file4').setDescription('Another article'))
  .addAttachmentOption((o) => o.setName('file5').setDescription('Another article'))
  .addStringOption((o) => o.setName('folder').setDescription('Corpus subfolder to put them in, e.g. africa or africa/2024').setMaxLength(100))
  .addBooleanOption((o) => o.setName('replace').setDescription('Overwrite files of the same name (default: refuse them)'))
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setContexts(InteractionContextType.Guild);

/** Why an attachment is refused before it is downloaded (its type or declared size), or null. */
function refusedUnseen(attachment: Attachment): string | null {
  const type = extname(attachment.name).toLowerCase();
  if (!DOCUMENT_TYPES.includes(type)) return `unsupported file type "${type || 'none'}" (use .txt, .md or .html)`;
  if (attachment.size > MAX_DOCUMENT_BYTES) {
    return `too large (${(attachment.size / 1048576).toFixed(1)} MB; the limit is ${MAX_DOCUMENT_BYTES / 1048576} MB)`;
  }
  return null;
}

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<LogFields> {
  const claim = await claimIngest(interaction, ctx, 'add articles');
  if (!claim) return { outcome: 'refused' };
  try {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const attachments = FILE_OPTIONS.map((name) => interaction.options.getAttachment(name)).filter((a): a is Attachment => !!a);
    const progress = progressLine(interaction, ctx, `Adding ${attachments.length} file${attachments.length === 1 ? '' : 's'}`);
    const refused: AddedDocument[] = [];
    const files: NewDocument[] = [];
    for (const [i, attachment] of attachments.entries()) {
      const unseen = refusedUnseen(attachment);
      if (unseen) {
        refused.push({ name: attachment.name, status: 'refused', reason: unseen });
        continue;
      }
      progress.show(`Fetching ${attachment.name} (${i + 1}/${attachments.length})…`);
      const fetched = await fetchAttachment(attachment.url, {
        hosts: ctx.config.discord.attachmentHosts,
        maxBytes: MAX_DOCUMENT_BYTES,
        timeoutMs: ctx.config.discord.attachmentTimeoutMs,
      });
      if (fetched.ok) files.push({ name: attachment.name, bytes: fetched.bytes });
      else refused.push({ name: attachment.name, status: 'refused', reason: fetched.reason });
    }
    if (files.length) progress.show(`Adding ${files.length} file${files.length === 1 ? '' : 's'} to the corpus… the current index keeps answering meanwhile.`);
    const report = files.length
      ? await ctx.engine.addDocuments(files, {
          folder: interaction.options.getString('folder') ?? undefined,
          replace: interaction.options.getBoolean('replace') ?? false,
          onProgress: (p) => progress.onIngest(p),
        })
      : { documents: [], ingest: null };
    claim.release(report.ingest !== null);
    await progress.settled();
    // In the order the files were given.
    const byName = [...report.documents, ...refused];
    const documents = attachments.map((a) => byName.find((d) => d.name === a.name)!).filter(Boolean);
    await interaction.editReply(renderAddReport(documents, report.ingest?.ms));
    const added = documents.filter((d) => d.status !== 'refused').length;
    return { files: attachments.length, added, refused: documents.length - added, ingestMs: report.ingest?.ms };
  } finally {
    claim.release(false);
  }
}
