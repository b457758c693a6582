import { MessageFlags, SlashCommandBuilder, type AutocompleteInteraction, type ChatInputCommandInteraction } from 'discord.js';
import type { SourceInfo, SummaryRequest } from '../../rag/types.js';
import { newAnswerId, scopeHere } from '../asking.js';
import type { BotContext, LogFields } from '../context.js';
import { LIMITS, renderLine, renderSummary, truncate } from '../render.js';

export const data = new SlashCommandBuilder()
  .setName('summary')
  .setDescription('A cited summary of one document or of a topic.')
  .addStringOption((o) => o.setName('source').setDescription('A document (start typing its title)').setAutocomplete(true))
  .addStringOption((o) => o.setName('topic').setDescription('A topic, e.g. "Russia and Togo embassies"').setMaxLength(300))
  .addBooleanOption((o) => o.setName('public').setDescription('Show the summary to the whole channel (default: only you)'));

/** The document a typed value names: its file name, or its title when the user typed instead of picking. */
function findSource(sources: SourceInfo[], typed: string): SourceInfo | undefined {
  const wanted = typed.trim().toLowerCase();
  return (
    sources.find((s) => s.source.toLowerCase() === wanted || s.aliases.some((a) => a.toLowerCase() === wanted)) ??
    sources.find((s) => s.title.toLowerCase() === wanted)
  );
}

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<LogFields> {
  const source = interaction.options.getString('source');
  const topic = interaction.options.getString('topic');
  if (Boolean(source) === Boolean(topic)) {
    const line = 'Give either `source:` (pick a document) or `topic:` (a few words) — one of the two.';
    await interaction.reply({ ...renderLine(line), flags: MessageFlags.Ephemeral });
    return { outcome: 'refused' };
  }
  const isPublic = interaction.options.getBoolean('public') ?? false;
  await interaction.deferReply(isPublic ? {} : { flags: MessageFlags.Ephemeral });
  const scope = scopeHere(interaction.channel, interaction.channelId, ctx);
  let request: SummaryRequest;
  let heading: string;
  if (source) {
    const doc = findSource(await ctx.engine.sources({ scope }), source);
    request = { source: doc?.source ?? source };
    heading = `Summary: ${doc?.title || source}`;
  } else {
    request = { topic: topic! };
    heading = `Summary: ${topic}`;
  }
  const summary = await ctx.engine.summarize(request, { scope });
  const shareWith = isPublic ? undefined : newAnswerId();
  if (shareWith) ctx.shares.offer(shareWith, { kind: 'summary', userId: interaction.user.id, summary, heading });
  await interaction.editReply(renderSummary(summary, heading, shareWith));
  return { ...request, citations: summary.citations.length };
}

/** Autocomplete must answer within 3 s; while the index is still loading, offer nothing rather than time out. */
const AUTOCOMPLETE_BUDGET_MS = 2_000;

export async function autocomplete(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void> {
  const typed = interaction.options.getFocused().toLowerCase();
  let timer: NodeJS.Timeout | undefined;
  const sources = await Promise.race([
    ctx.engine.sources({ scope: scopeHere(interaction.channel, interaction.channelId, ctx) }),
    new Promise<SourceInfo[]>((resolve) => (timer = setTimeout(() => resolve([]), AUTOCOMPLETE_BUDGET_MS))),
  ]).finally(() => clearTimeout(timer));
  const choices = sources
    .filter((s) => s.source.length <= LIMITS.choiceName && `${s.title} ${s.source}`.toLowerCase().includes(typed))
    .slice(0, LIMITS.choices)
    .map((s) => ({ name: truncate(s.title || s.source, LIMITS.choiceName), value: s.source }));
  await interaction.respond(choices);
}
