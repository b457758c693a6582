/**
 * Engine results → Discord message payloads. Everything the bot posts goes through here, so the limits (message 2,000,
 * embed description 4,096, field 1,024, 25 fields, 6,000 per embed) and the no-ping rule hold in one place.
 */
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  EmbedBuilder,
  type APIEmbedField,
  type MessageMentionOptions,
} from 'discord.js';
import { escapeOutside, fileName } from './escape.js';
import { feedbackId } from './feedback.js';
import type { GapGroup } from '../gap-report.js';
import {
  type AddedDocument,
  citationMarks,
  citedDocuments,
  datesRemark,
  flagLine,
  paragraphsText,
  quotesNotInAnswer,
  type Answer,
  type Citation,
  type CitedDocument,
  type DocumentRef,
  type Flag,
  type IngestReport,
  type SourceInfo,
  type Summary,
  type Timeline,
  type TimelineEvent,
} from '../rag/types.js';

export const LIMITS = {
  content: 2000,
  title: 256,
  description: 4096,
  fieldName: 256,
  fieldValue: 1024,
  fields: 25,
  footer: 2048,
  embedTotal: 6000,
  choiceName: 100,
  choices: 25,
} as const;

/** Text from a question or the corpus must never ping anyone: no @everyone, roles, users, nor the replied-to author. */
export const NO_PINGS: MessageMentionOptions = { parse: [], repliedUser: false };

const COLOR = { answered: 0x5865f2, flagged: 0xfaa61a, notFound: 0x99aab5, error: 0xed4245 } as const;

/** A sentence end followed by space: the preferred place to cut. */
const SENTENCE_END = /[.!?…]["'”’)\]]*\s/g;

/**
 * Shortens `text` to at most `max` characters, cutting after the last whole sentence that fits (or a word when no
 * sentence end is near) and marking the cut with "…". Never splits a surrogate pair.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return '…'.slice(0, max);
  let room = text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(room)) room = room.slice(0, -1);
  const sentenceCut = [...room.matchAll(SENTENCE_END)].at(-1);
  const wordCut = room.search(/\s\S*$/);
  const cut =
    sentenceCut && sentenceCut.index + sentenceCut[0].length > room.length / 2
      ? sentenceCut.index + sentenceCut[0].length
      : wordCut > room.length / 2
        ? wordCut
        : room.length;
  return `${room.slice(0, cut).trimEnd()}…`;
}

/** One visible line per flag, e.g. "⚠ The source leaves this blank: [insert date] (000_x.txt)". */
export function warningLines(flags: Flag[]): string[] {
  return flags.map(flagLine);
}

function quoteBlock(quote: string): string {
  return escapeOutside(quote)
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

/**
 * One field per citation: "[n] Title" over the quoted passage and its file. Fields share what room the embed has
 * left, so many or long quotes shorten rather than push the embed past 6,000 characters.
 */
function citationFields(citations: Citation[], room: number): APIEmbedField[] {
  const shown = citations.slice(0, LIMITS.fields);
  const fields: APIEmbedField[] = [];
  let left = room;
  shown.forEach((c, i) => {
    const name = truncate(`[${c.n}] ${escapeOutside(c.title || c.source)}`, LIMITS.fieldName);
    const fileLine = `\n— ${fileName(c.source)}`;
    const share = Math.min(LIMITS.fieldValue, Math.floor(left / (shown.length - i)) - name.length);
    if (share < fileLine.length + 20) return;
    const value = truncate(quoteBlock(c.quote), share - fileLine.length) + fileLine;
    fields.push({ name, value });
    left -= name.length + value.length;
  });
  return fields;
}

function cited(
  title: string,
  body: string,
  citations: Citation[],
  flags: Flag[],
  footer: string | undefined,
  color: number,
): EmbedBuilder {
  // Warnings keep up to half the description, so a long answer can never push them out of sight.
  const warnings = truncate(warningLines(flags).map(escapeOutside).join('\n'), LIMITS.description / 2);
  const text = escapeOutside(body.trim()) || 'The engine returned no text.';
  const description = warnings ? `${truncate(text, LIMITS.description - warnings.length - 2)}\n\n${warnings}` : truncate(text, LIMITS.description);
  const heading = truncate(escapeOutside(title), LIMITS.title);
  const foot = footer ? truncate(footer, 200) : '';
  const room = LIMITS.embedTotal - heading.length - description.length - foot.length;
  const embed = new EmbedBuilder().setTitle(heading).setDescription(description).setColor(color);
  const fields = citationFields(citations, room);
  if (fields.length) embed.addFields(fields);
  if (foot) embed.setFooter({ text: foot });
  return embed;
}

/** Custom id of the button that shares a private answer with the channel. */
export const shareId = (answerId: string) => `share:${answerId}`;

function shareButton(answerId: string): ButtonBuilder {
  return new ButtonBuilder().setCustomId(shareId(answerId)).setLabel('Share to channel').setEmoji('📣').setStyle(ButtonStyle.Primary);
}

/** 👍 and 👎 under an answer; a private answer also gets "Share to channel". */
export function feedbackButtons(answerId: string, shareable = false): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(feedbackId('up', answerId)).setEmoji('👍').setStyle(ButtonStyle.Secondary),
    new ButtonBuilder().setCustomId(feedbackId('down', answerId)).setEmoji('👎').setStyle(ButtonStyle.Secondary),
    ...(shareable ? [shareButton(answerId)] : []),
  );
}

/** The line above an answer shared by its asker: who shared it, without pinging them. */
export function sharedByLine(userId: string): string {
  return `📣 Shared by <@${userId}>`;
}

/**
 * One line per cited document: its [n] markers, title, date when known, file and paragraphs, and how many other
 * copies of its story state what it is cited for.
 */
function sourceLine(d: CitedDocument, citations: Citation[]): string {
  const copies = new Set(citations.filter((c) => c.source === d.source).flatMap((c) => (c.alsoIn ?? []).map((x) => x.source)));
  const also = copies.size ? `also in ${copies.size} other document${copies.size === 1 ? '' : 's'}` : '';
  const parts = [`**${escapeOutside(d.title || d.source)}**`, d.date ? escapeOutside(d.date) : '', fileName(d.source), paragraphsText(d.paragraphs), also];
  return `[${d.numbers.join(', ')}] ${parts.filter(Boolean).join(' · ')}`;
}

/** How a date's year is known, when the text does not write it: a reader should not take a guess for a fact. */
function yearNote(from: 'text' | 'document', year?: 'stated' | 'publication' | 'inferred'): string {
  if (from === 'document') return " (the article's date)";
  if (year === 'publication') return " (year from the article's date)";
  if (year === 'inferred') return ' (year inferred: the article is undated)';
  return '';
}

/** "When: [1] 2024-02-28 (year inferred…) · [2] 2023-01-24 (the article's date)": when what each citation reports happened. */
function whenLine(citations: Citation[]): string {
  const dated = citations.filter((c) => c.when).map((c) => `[${c.n}] ${c.when!.date}${yearNote(c.when!.from, c.when!.year)}`);
  return dated.length ? `When: ${dated.join(' · ')}` : '';
}

/**
 * The answer with its [n] markers once, then one line per cited document; the ⚠ lines last. An extractive answer is
 * made of its quotes, so quoting them again would say everything twice: quotes appear (as fields) only where the
 * answer does not already show them word for word (a language model's paraphrase).
 */
export function renderAnswer(answer: Answer, answerId: string, options: { shareable?: boolean; lead?: string } = {}) {
  const color = answer.status === 'not_found' ? COLOR.notFound : answer.flags.length ? COLOR.flagged : COLOR.answered;
  const footer = truncate([answer.note, `answer ${answerId}`].filter(Boolean).join(' · '), 200);
  // Warnings keep up to half the description and the source lines a quarter, so a long answer never hides them.
  const warnings = truncate(warningLines(answer.flags).map(escapeOutside).join('\n'), LIMITS.description / 2);
  const dated = datesRemark(answer.citations);
  const when = whenLine(answer.citations);
  // A refusal that quotes the closest passages names their documents as an answer names its sources.
  const cited = answer.citations.length ? answer.citations : (answer.closest ?? []);
  const lines = [...citedDocuments(cited).map((d) => sourceLine(d, cited)), ...(dated ? [dated] : []), ...(when ? [when] : [])];
  const sources = truncate(lines.join('\n'), LIMITS.description / 4);
  const understood = answer.understood ? `*Understood as: ${escapeOutside(truncate(answer.understood, 300))}*` : '';
  const lead = options.lead ? `*${truncate(options.lead, 300)}*` : '';
  const room = LIMITS.description - [lead, understood, sources, warnings].reduce((n, part) => n + (part ? part.length + 2 : 0), 0);
  const text = truncate(escapeOutside(answer.answer.trim()) || 'The engine returned no text.', room);
  const description = [lead, understood, text, sources, warnings].filter(Boolean).join('\n\n');
  const heading = truncate(escapeOutside(answer.question), LIMITS.title);
  const embed = new EmbedBuilder().setTitle(heading).setDescription(description).setColor(color).setFooter({ text: footer });
  const fields = citationFields(quotesNotInAnswer(answer), LIMITS.embedTotal - heading.length - description.length - footer.length);
  if (fields.length) embed.addFields(fields);
  return { content: '', embeds: [embed], components: [feedbackButtons(answerId, options.shareable)], allowedMentions: NO_PINGS };
}

const documentName = (d: DocumentRef) => `${d.title || d.source}${d.date ? ` (${d.date})` : ''}`;

/** Further articles of a topic named by title; the rest are counted. */
const MORE_NAMED = 5;
const MORE_HINT = '`/summary source:` summarises one; `/sources` lists every document.';

/** The topic's further articles: how to read them, then the first few by title. */
function moreField(more: DocumentRef[]): APIEmbedField | null {
  if (!more.length) return null;
  const titles = more.slice(0, MORE_NAMED).map((d) => `“${escapeOutside(documentName(d))}”`);
  const others = more.length - titles.length;
  const named = truncate(`${titles.join('; ')}${others ? `; and ${others} others` : ''}.`, LIMITS.fieldValue - MORE_HINT.length - 1);
  return { name: `…and ${more.length} more`, value: `${MORE_HINT}\n${named}` };
}

/**
 * One field per cited document: "[1–3] Title (date)" over its file. The quotes themselves are the summary above, so
 * they are not repeated. Fields stop where the embed's room ends.
 */
function summaryDocumentFields(summary: Summary, room: number): APIEmbedField[] {
  const fields: APIEmbedField[] = [];
  let left = room;
  for (const d of summary.documents.slice(0, LIMITS.fields - 1)) {
    const name = truncate(`${citationMarks(d.citations)} ${escapeOutside(documentName(d))}`, LIMITS.fieldName);
    const value = truncate(fileName(d.source), LIMITS.fieldValue);
    if (name.length + value.length > left) break;
    fields.push({ name, value });
    left -= name.length + value.length;
  }
  return fields;
}

/** `shareWith`: the id under which a private summary can be shared with the channel. */
export function renderSummary(summary: Summary, heading: string, shareWith?: string) {
  const color = summary.flags.length ? COLOR.flagged : COLOR.answered;
  const more = moreField(summary.more);
  const embed = cited(heading, summary.summary || 'Nothing in the corpus is about this topic.', [], summary.flags, undefined, color);
  const used = (embed.data.title?.length ?? 0) + (embed.data.description?.length ?? 0) + (more ? more.name.length + more.value.length : 0);
  embed.addFields([...summaryDocumentFields(summary, LIMITS.embedTotal - used), ...(more ? [more] : [])]);
  const components = shareWith ? [new ActionRowBuilder<ButtonBuilder>().addComponents(shareButton(shareWith))] : [];
  return { content: '', embeds: [embed], components, allowedMentions: NO_PINGS };
}

export const SOURCES_PER_PAGE = 10;

/**
 * The indexed documents, a story told by several copies as one entry (its best copy, then "N copies" and their
 * files), ten entries a page.
 */
export function renderSources(all: SourceInfo[], page: number) {
  const sources = all.filter((s) => !s.story || s.story.documents[0] === s.source);
  const pages = Math.max(1, Math.ceil(sources.length / SOURCES_PER_PAGE));
  const current = Math.min(Math.max(0, page), pages - 1);
  const slice = sources.slice(current * SOURCES_PER_PAGE, (current + 1) * SOURCES_PER_PAGE);
  const embed = new EmbedBuilder()
    .setTitle(`Indexed documents (${all.length}${sources.length < all.length ? `, ${sources.length} stories` : ''})`)
    .setColor(COLOR.answered)
    .setDescription(sources.length ? 'Ask about any of these with `/ask`, or summarise one with `/summary`.' : 'The index holds no documents yet.');
  embed.addFields(
    slice.map((s) => {
      const placeholders = s.placeholders.length
        ? `${s.placeholders.length} placeholder${s.placeholders.length === 1 ? '' : 's'}: ${escapeOutside([...new Set(s.placeholders.map((p) => p.text))].join(', '))}`
        : 'no placeholders';
      const aliases = s.aliases.length ? `\nalso as ${s.aliases.map(fileName).join(', ')}` : '';
      const copies = s.story ? `\n${s.story.documents.length} copies: ${s.story.documents.slice(1).map(fileName).join(', ')} tell the same story` : '';
      return {
        name: truncate(escapeOutside(s.title || s.source), LIMITS.fieldName),
        value: truncate(`${fileName(s.source)} · ${s.chunks} chunks · ${placeholders}${aliases}${copies}`, 400),
      };
    }),
  );
  if (pages > 1) embed.setFooter({ text: `Page ${current + 1} of ${pages}` });
  const components =
    pages > 1
      ? [
          new ActionRowBuilder<ButtonBuilder>().addComponents(
            new ButtonBuilder().setCustomId(`sources:${current - 1}`).setLabel('◀ Previous').setStyle(ButtonStyle.Secondary).setDisabled(current === 0),
            new ButtonBuilder().setCustomId(`sources:${current + 1}`).setLabel('Next ▶').setStyle(ButtonStyle.Secondary).setDisabled(current === pages - 1),
          ),
        ]
      : [];
  return { content: '', embeds: [embed], components, allowedMentions: NO_PINGS };
}

export function renderReindexReport(report: IngestReport) {
  const count = (status: string) => report.documents.filter((d) => d.status === status).length;
  const placeholders = report.documents.reduce((n, d) => n + d.placeholders.length, 0);
  const skipped = report.documents.filter((d) => d.status === 'skipped');
  const lines = report.documents.map((d) => {
    const detail = d.status === 'skipped' ? escapeOutside(d.warning ?? 'skipped') : `${d.status}, ${d.chunks} chunks, ${d.placeholders.length} placeholders`;
    return `${fileName(d.source)} — ${detail}`;
  });
  const summary =
    `${report.documents.length - skipped.length - count('removed')} documents, ${report.chunks} chunks, ` +
    `${placeholders} placeholders, ${skipped.length} skipped (${count('indexed')} new or changed, ${count('unchanged')} unchanged, ` +
    `${count('removed')} removed) in ${(report.ms / 1000).toFixed(1)} s.`;
  const embed = new EmbedBuilder()
    .setTitle('Re-index finished')
    .setColor(skipped.length ? COLOR.flagged : COLOR.answered)
    .setDescription(truncate([summary, ...(report.repaired ?? []).map((r) => `Repaired: ${escapeOutside(r)}`), '', ...lines].join('\n').trim(), LIMITS.description));
  return { content: '', embeds: [embed], allowedMentions: NO_PINGS };
}

/** A timeline line: date, quote and its citations; where the date comes from; copies that date it otherwise. */
function timelineLine(e: TimelineEvent): string {
  const [first, ...copies] = e.citations;
  const also = copies.length ? `; also ${copies.map((c) => `[${c.n}] ${fileName(c.source)}`).join(', ')}` : '';
  const other = (e.otherDates ?? []).map((o) => `\n⚠ another copy dates this ${o.date}: [${o.citation.n}] ${fileName(o.citation.source)}`).join('');
  return `**${e.date}**${yearNote(e.dateFrom, e.year)} “${escapeOutside(truncate(e.text, 300))}” [${first!.n}] ${fileName(first!.source)}${also}${other}`;
}

/** A timeline: one line per event in date order, as many as the embed holds, then how many more there are. */
export function renderTimeline(timeline: Timeline) {
  const count = timeline.events.length;
  const lines = timeline.events.map(timelineLine);
  const undated = timeline.undated.length
    ? `\n\nAbout the subject but undated: ${timeline.undated.map((c) => `[${c.n}] ${fileName(c.source)}`).join(', ')}`
    : '';
  const shown: string[] = [];
  let length = undated.length;
  for (const line of lines) {
    if (length + line.length + 2 > LIMITS.description - 40) break;
    shown.push(line);
    length += line.length + 2;
  }
  const more = shown.length < count ? `\n\n…and ${count - shown.length} more (narrow it with since: and until:)` : '';
  const embed = new EmbedBuilder()
    .setTitle(truncate(`Timeline: ${escapeOutside(timeline.subject)} (${count} event${count === 1 ? '' : 's'})`, LIMITS.title))
    .setColor(count ? COLOR.answered : COLOR.notFound)
    .setDescription(count ? `${shown.join('\n\n')}${more}${undated}` : `No dated event about this subject in the corpus.${undated}`);
  return { content: '', embeds: [embed], allowedMentions: NO_PINGS };
}

/** What `/add` did with each file: where it went, its title, date, chunks and placeholders, or why it was refused. */
export function renderAddReport(documents: AddedDocument[], ingestMs?: number) {
  const added = documents.filter((d) => d.status !== 'refused');
  const lines = documents.map((d) => {
    if (d.status === 'refused') return `⛔ ${fileName(d.name)} — refused: ${escapeOutside(d.reason)}`;
    const placeholders = d.placeholders.length
      ? `⚠ ${d.placeholders.length} placeholder${d.placeholders.length === 1 ? '' : 's'}: ${escapeOutside([...new Set(d.placeholders.map((p) => p.text))].join(', '))}`
      : 'no placeholders';
    const parts = [`“${escapeOutside(d.title || d.source)}”`, d.date ?? 'no date found', `${d.chunks} chunk${d.chunks === 1 ? '' : 's'}`, placeholders];
    return `✅ ${fileName(d.source)}${d.status === 'replaced' ? ' (replaced)' : ''} — ${parts.join(' · ')}`;
  });
  const refused = documents.length - added.length;
  const took = ingestMs === undefined ? '' : ` in ${(ingestMs / 1000).toFixed(1)} s`;
  const summary = added.length
    ? `${added.length} added${refused ? `, ${refused} refused` : ''}${took}; questions were answered from the previous index meanwhile, and from now on these are cited too.`
    : `Nothing was added: ${refused === 1 ? 'the file was' : `all ${refused} files were`} refused.`;
  const embed = new EmbedBuilder()
    .setTitle(added.length ? 'Added to the corpus' : 'Nothing added')
    .setColor(refused ? COLOR.flagged : COLOR.answered)
    .setDescription(truncate([summary, '', ...lines].join('\n'), LIMITS.description));
  return { content: '', embeds: [embed], components: [], allowedMentions: NO_PINGS };
}

/** A one-line reply: refusals, errors, progress. */
export function renderLine(text: string) {
  return { content: truncate(text, LIMITS.content), embeds: [], components: [], allowedMentions: NO_PINGS };
}

export function renderHelp(sources: SourceInfo[]) {
  const titles = sources.map((s) => `• ${escapeOutside(s.title || s.source)}`).join('\n');
  const embed = new EmbedBuilder()
    .setTitle('How to ask')
    .setColor(COLOR.answered)
    .setDescription(
      truncate(
        [
          'I answer from the team’s news corpus only, quoting the passages I used — every answer cites its sources with [n] markers.',
          '',
          '`/ask question:` — ask anything; only you see the answer, with a **Share to channel** button. Add `public:true` to show it to the channel in a thread, where anyone can ask follow-ups ("and what about Togo?") without mentioning me; each person\'s follow-ups continue their own questions, even after I restart.',
          '`/summary source:` or `/summary topic:` — a cited summary of one document or of a topic.',
          '`/timeline subject:` — dated events about a subject in date order (`since:`/`until:` bound it).',
          '`/sources` — the documents I have read; copies of one story are one entry.',
          'On any message: **Apps → Ask the corpus** — its text as a question (or, if it is not one, the claim to look up), answered privately.',
          'You can also mention me with a question.',
          '👎 under an answer asks what was wrong (one optional line); the team sees it in `/gaps`.',
          '',
          'Server managers: `/add` — add up to five articles (.txt, .md, .html, ≤ 5 MB) from chat, optionally into a folder; `/scope set|show|clear` — which corpus folders a channel or category answers from; `/reindex` — re-read the corpus; `/gaps` — what I could not answer.',
          '',
          '⚠ lines mark text the source leaves blank or only speculates about. If the corpus does not cover a question, I say so rather than guess.',
          '',
          `**I know ${sources.length} document${sources.length === 1 ? '' : 's'}:**`,
          titles,
        ].join('\n'),
        LIMITS.description,
      ),
    );
  return { content: '', embeds: [embed], allowedMentions: NO_PINGS };
}

/** Questions shown per group of the gap report. */
const GAP_QUESTIONS = 3;

/** The gap report for admins: one field per group of unanswered questions, most frequent first. */
export function renderGaps(groups: GapGroup[], span: string) {
  const total = groups.reduce((n, g) => n + g.count, 0);
  const embed = new EmbedBuilder()
    .setTitle(truncate(`Unanswered questions, last ${span}`, LIMITS.title))
    .setColor(groups.length ? COLOR.flagged : COLOR.answered)
    .setDescription(
      groups.length
        ? `${total} not found or 👎, in ${groups.length} group${groups.length === 1 ? '' : 's'}, most frequent first. Documents on these subjects would fill the gaps; then \`/reindex\`.`
        : `Nothing went unanswered in the last ${span}.`,
    );
  let left = LIMITS.embedTotal - (embed.data.title?.length ?? 0) - (embed.data.description?.length ?? 0);
  for (const g of groups.slice(0, LIMITS.fields)) {
    const name = truncate(`${g.terms.join(', ') || '(no key terms)'} — ${g.count}× (${g.notFound} not found, ${g.thumbsDown} 👎)`, LIMITS.fieldName);
    const questions = g.questions.slice(0, GAP_QUESTIONS).map((q) => {
      const said = q.reasons.length ? ` — 👎 ${q.reasons.slice(0, 2).map((r) => `“${escapeOutside(truncate(r, 150))}”`).join(', ')}` : '';
      return `${q.count}× ${escapeOutside(truncate(q.question, 200))}${said}`;
    });
    const closest = g.documents.length ? `closest: ${g.documents.map((d) => `${escapeOutside(d.title)} (${fileName(d.source)})`).join('; ')}` : '';
    const value = truncate([...questions, closest].filter(Boolean).join('\n'), Math.min(LIMITS.fieldValue, 600));
    if (name.length + value.length > left) break;
    embed.addFields({ name, value });
    left -= name.length + value.length;
  }
  return { content: '', embeds: [embed], allowedMentions: NO_PINGS };
}
