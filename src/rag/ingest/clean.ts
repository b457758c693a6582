/**
 * Turns a scraped article into the text the bot reads: site furniture, trailers, SEO and promotional leftovers
 * and repeated sections removed; bullets and broken spacing repaired; tables turned into sentences that keep each
 * row with its column names; FAQ questions kept with their answers. Nothing factual is rewritten, and every
 * character of the cleaned text maps back to an offset in the original file.
 */
import { findPlaceholders } from '../text/flags.js';
import { isoDate } from './dates.js';
import type { ParsedText } from './parsed.js';
import { splitSentences, wordCount } from '../text/sentences.js';
import type { Placeholder } from '../types.js';

export interface Section {
  heading: string;
  start: number;
  end: number;
}

export interface CleanOptions {
  /** How headings are told apart (see ParsedText): by a "# " marker, or by their shape in plain text. */
  headings?: ParsedText['headings'];
  /** The title the file states (front matter, the page's head), preferred to any guess from the text. */
  title?: string;
  /** The date the file states (ISO yyyy-mm-dd), preferred to a byline's or time stamp's near the top. */
  date?: string;
  /** Lines other documents of the corpus repeat (`repeatedLines`): the site's furniture. */
  furniture?: ReadonlySet<string>;
}

export interface CleanedDocument {
  text: string;
  title: string;
  /** ISO yyyy-mm-dd, when the document states its date. */
  date?: string;
  sections: Section[];
  placeholders: Placeholder[];
  /** Offset in the original text of the character at `offset` in the cleaned text. */
  toOriginal(offset: number): number;
}

/** A run of output text and where it came from: copied verbatim from `orig`, or written here at `orig`. */
interface Piece {
  text: string;
  orig: number;
  verbatim: boolean;
}

type UnitKind = 'heading' | 'paragraph' | 'item' | 'row';

interface Unit {
  kind: UnitKind;
  pieces: Piece[];
}

interface Line {
  text: string;
  offset: number;
}

const unitText = (u: Unit) => u.pieces.map((p) => p.text).join('');
const normalized = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

// ---- lines that are never content -------------------------------------------------------------------------------
// Recognised by their shape, whatever the site: what a page says about itself, its navigation and forms, bylines
// and time stamps, captions. Each rule but the trailers is bounded in words, so a paragraph of prose never matches.

const SEPARATOR = /^[\s.·•\-_=*~]*$/;
/** A line that is only a label of the page: "Advertisement", "Search …", "Related". */
const PAGE_LABEL = /^(?:advertisement|sponsored content|search|menu|print|email|loading|related|recommended|trending(?: now)?|tags|topics|share|comments?|exit mobile version|skip to (?:main )?content)\W*$/i;
/** Short lines that begin by asking the reader to act or pointing elsewhere: "Spread the love", "Also Read: …". */
const PAGE_ACTION =
  /^(?:spread the love|leave a (?:reply|comment)|post (?:a |your )?comment|report an error|also read|read (?:more|next|also)(?:\W|$)|read the (?:original|full) (?:article|story)|related(?:\s*:| (?:articles|posts|stories|news|coverage|content|topics))|recommended (?:for you|reading)|more (?:from|stories)\b|see also|you (?:may|might) also like|don'?t miss|most (?:read|popular)|follow us\b|sign up (?:for|to)|tagged\s*:|tags\s*:|filed under|share (?:this|on|via)\b)/i;
/**
 * "Also on the Lakeside Courier: …", "More from Coastline Media: …": a label naming the site (capitalised words up
 * to its colon; "Also on Tuesday the ministry said:" is prose) before other articles' headlines.
 */
const SITE_PROMO = /^(?:[Aa]lso|[Mm]ore) (?:on|at|from) (?:the )?(?:\p{Lu}[\p{L}\p{N}'’&.-]*\s+){0,4}\p{Lu}[\p{L}\p{N}'’&.-]*\s*:/u;
/** Calls to act anywhere in a short line: "HealthWatch … Support our work: click here to donate." */
const CALL_TO_ACTION =
  /\b(?:share your (?:insights|thoughts|views|opinions?)|(?:leave|post) (?:a|your) comments?|comments? below|click here|support our (?:work|journalism)|donate now|(?:sign up|subscribe) (?:for|to) (?:our|the) (?:\w+ )?(?:newsletter|channel|podcast|alerts|updates)|follow us on|download (?:our|the) app|share (?:this|on)\b.*\b(?:facebook|twitter|whatsapp)|(?:facebook|twitter) \/ (?:twitter|whatsapp|x))/i;
const COMMENT_FORM =
  /your email address will not be published|required fields are marked|save my name, email|^\d+ comments?$|^comments? \(\d+\)$|^[\p{L} ]{1,20} \*$/iu;
const COPYRIGHT = /^(?:copyright\s*(?:©|\(c\)|\d{4})|©|\(c\) \d{4})|\b(?:all|some) rights reserved\b/i;
const COOKIES = /\b(?:uses? cookies|use of cookies|accept (?:all )?cookies|cookie (?:policy|settings|notice))\b/i;
/** "By Jane Doe", "By Mona El-Sayed, Energy Correspondent", "3 June 2025 | By Thomas Avery | 6 min read". */
const BYLINE = /^(?:(?:[Ww]ords|[Ww]ritten|[Rr]eporting|[Ss]tory) )?[Bb]y\s+[\p{Lu}—–-]|[|·•—]\s*[Bb]y\s+\p{Lu}/u;
/** Bylines that name no one: "Staff Reporter", "Staff Reports", "From staff and wire reports", "Agencies". */
const STAFF = /^(?:(?:from )?(?:staff|wire)(?: and wire)? reports?|staff (?:reporter|writer|correspondent)|our (?:correspondent|reporter)s?|news desk|agencies)$/i;
/** "Published · 2 mins ago", "Updated: 14 March 2024 09:12 GMT", "5 min read". */
const TIME_STAMP =
  /^(?:published|updated|posted|last (?:updated|modified)|first published|modified)(?:\s*[:·|—–-]|\s+(?:on\s+)?(?:\d|[a-z]+\.?\s+\d)|\s*$)|\b\d+\s+(?:min(?:ute)?s?|hours?|days?)\s+(?:ago|read)\b/i;
/** "Photo: Reuters / John Smith", "Photo courtesy of the trial team", "(File photo) …". */
const CAPTION = /\b(?:photo(?:graph)?|picture|image|video|credit)s?\s*(?:courtesy\b|credits?\s*:|:)|^\(?file (?:photo|picture|image)\)?/i;
/** "Home > Health > Research", "News › Employment › Gig economy". */
const CRUMB_SEPARATOR = /\s+[>›»]\s+/;
/** A one-line author blurb: "A seasoned investigative journalist known for…". */
const AUTHOR_BLURB =
  /^(?:an?|the)\s+(?:[\p{L}-]+\s+){0,4}(?:journalist|correspondent|reporter|writer|editor|columnist|analyst|author)\b.{0,160}$/iu;
/** Agency trailers ("Based on materials from TASS") and promotional asides ("Pro Tip: …"), however long. */
const TRAILER = /^(?:based on materials (?:from|of)|pro tip|editor'?s note|sponsored|subscribe)\b/i;
/** Search-engine leftovers that trail a paragraph: "LSI Keywords: *BRICS expansion*, …". */
const SEO_TAIL = /\s*\b(?:LSI Keywords|Keywords|Tags|Meta Description)\s*:.*$/i;

const endsSentence = (t: string) => /[.!?:;"”’)]$/.test(t.trim());

/** A byline or time stamp: dropped, but where a document states its date. */
function isStamp(t: string): boolean {
  const words = wordCount(t);
  if (words > 20) return false;
  if (STAFF.test(t) || TIME_STAMP.test(t)) return true;
  if (BYLINE.test(t) && !/[.!?]$/.test(t)) return true;
  // A line that is a date and little else: "Thursday, 11 September 2025".
  return words <= 6 && isoDate(t) !== undefined && !/[.!?]$/.test(t);
}

/** Navigation: three or more short items in a row, split by pipes or breadcrumb arrows. */
function isNavigation(t: string): boolean {
  for (const separator of [CRUMB_SEPARATOR, /\s+\|\s+/]) {
    if (t.startsWith('|') || t.endsWith('|')) continue; // a table row
    const items = t.split(separator);
    if (items.length >= 3 && items.every((i) => wordCount(i) <= 4)) return true;
  }
  return false;
}

/** A label of one or two capitalised words standing alone: "ENERGY", "LAWBRIEF UK". */
const isCapsLabel = (t: string) => wordCount(t) <= 2 && /^[\p{Lu}\p{N}&' -]+$/u.test(t) && /\p{Lu}{2}/u.test(t);

/** A news dateline: the place in capitals before a dash, opening the article's first paragraph ("NAIROBI — The…"). */
const DATELINE = /^[*_]{0,2}[A-Z][A-Z .'’-]{2,}[*_]{0,2}\s[—–-]\s/;

/** Whether a paragraph opens with a dateline: where a news article's own text begins, below the page around it. */
export const opensWithDateline = (text: string) => DATELINE.test(text);

/**
 * A line that is page furniture by its shape, whatever the site: what cleaning drops, and what summaries never quote
 * when a sentence of the cleaned text has the same shape.
 */
export function isFurniture(text: string): boolean {
  const t = text.trim();
  if (SEPARATOR.test(t)) return true;
  const words = wordCount(t);
  if (PAGE_LABEL.test(t) || (words <= 25 && (PAGE_ACTION.test(t) || SITE_PROMO.test(t)))) return true;
  if (words <= 30 && (CALL_TO_ACTION.test(t) || COMMENT_FORM.test(t) || COPYRIGHT.test(t) || COOKIES.test(t))) return true;
  if (words <= 45 && CAPTION.test(t)) return true;
  if (TRAILER.test(t) || isStamp(t) || isNavigation(t) || isCapsLabel(t)) return true;
  return AUTHOR_BLURB.test(t) && words <= 25;
}

// ---- repairing one line ------------------------------------------------------------------------------------------

const BULLET = /^\s*(?:[•●▪◦‣∙*]|-(?=\s))?\s*/u;

/** Where a line may need repair: white space (a run other than one space is collapsed) and punctuation that may lack its space. */
const REPAIR_POINT = /\s+|[,;.!?]/g;

/**
 * Copies `line[from, to)` into pieces, collapsing runs of white space and putting back the space that scraping
 * dropped after punctuation ("relations,lavrov", "Africa.These"). Only the places REPAIR_POINT finds are looked at:
 * testing every character of every line was a tenth of an ingest's cleaning.
 */
function repairedPieces(line: Line, from = 0, to = line.text.length): Piece[] {
  const s = line.text;
  const pieces: Piece[] = [];
  const copy = (a: number, b: number) => {
    if (b <= a) return;
    const last = pieces[pieces.length - 1];
    if (last?.verbatim && last.orig + last.text.length === line.offset + a) last.text += s.slice(a, b);
    else pieces.push({ text: s.slice(a, b), orig: line.offset + a, verbatim: true });
  };
  const insert = (text: string, at: number) => pieces.push({ text, orig: line.offset + at, verbatim: false });
  let runStart = from;
  REPAIR_POINT.lastIndex = from;
  for (let m = REPAIR_POINT.exec(s); m && m.index < to; m = REPAIR_POINT.exec(s)) {
    const i = m.index;
    const c = m[0];
    if (c.length > 1 || /\s/.test(c)) {
      const j = Math.min(i + c.length, to);
      if (j - i === 1 && c[0] === ' ') continue;
      copy(runStart, i);
      insert(' ', i);
      runStart = j;
      continue;
    }
    const missingSpace =
      i + 1 < to &&
      /\p{Ll}|\)/u.test(s[i - 1] ?? '') &&
      ((/[,;]/.test(c) && /\p{L}/u.test(s[i + 1]!)) || (/[.!?]/.test(c) && /\p{Lu}/u.test(s[i + 1]!) && /\p{Ll}/u.test(s[i + 2] ?? '')));
    if (missingSpace) {
      copy(runStart, i + 1);
      insert(' ', i + 1);
      runStart = i + 1;
    }
  }
  copy(runStart, to);
  return pieces;
}

/** The repaired content of a line: bullet glyph, SEO tail and outer white space removed. */
function lineContent(line: Line): Piece[] {
  const start = line.text.match(BULLET)![0].length;
  const seo = line.text.slice(start).match(SEO_TAIL);
  let end = seo ? start + seo.index! : line.text.length;
  while (end > start && /\s/.test(line.text[end - 1]!)) end--;
  return repairedPieces(line, start, end);
}

const stripBullet = (t: string) => t.replace(BULLET, '').trim();
const isBulleted = (t: string) => /^\s*(?:[•●▪◦‣∙*]|-\s)/u.test(t);
function looksLikeHeading(t: string): boolean {
  const s = stripBullet(t);
  return !!s && !endsSentence(s) && wordCount(s) <= 15 && !s.includes('|');
}

// ---- tables --------------------------------------------------------------------------------------------------------

const PIPE_SEPARATOR = /^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$/;

function pipeCells(line: Line): Piece[][] {
  const cells: Piece[][] = [];
  const re = /[^|]+/g;
  for (const m of line.text.matchAll(re)) {
    const raw = m[0];
    const lead = raw.length - raw.trimStart().length;
    const body = raw.trim();
    if (!body) continue;
    cells.push(repairedPieces(line, m.index! + lead, m.index! + lead + body.length));
  }
  return cells;
}

/**
 * One sentence per row that keeps each cell with its column name:
 * "Togo — Investment (in million USD): 25; Year Established: 2023."
 */
function rowSentence(header: string[], cells: Piece[][], at: number): Unit {
  const pieces: Piece[] = [...cells[0]!];
  cells.slice(1).forEach((cell, i) => {
    const name = header[i + 1];
    const lead = i === 0 ? ' — ' : '; ';
    pieces.push({ text: name ? `${lead}${name}: ` : lead, orig: cell[0]?.orig ?? at, verbatim: false });
    for (const item of cell) pieces.push(item);
  });
  const last = unitText({ kind: 'row', pieces });
  if (!/[.!?]$/.test(last)) pieces.push({ text: '.', orig: at, verbatim: false });
  return { kind: 'row', pieces };
}

/** A markdown table starting at `i` (header, separator, rows); returns its row sentences and the next line index. */
function markdownTable(lines: Line[], i: number): { units: Unit[]; next: number } | null {
  const head = lines[i]!;
  if (!head.text.includes('|') || !PIPE_SEPARATOR.test(lines[i + 1]?.text ?? '')) return null;
  const header = pipeCells(head).map((c) => c.map((p) => p.text).join(''));
  const units: Unit[] = [];
  let j = i + 2;
  for (; j < lines.length && lines[j]!.text.includes('|'); j++) {
    const cells = pipeCells(lines[j]!);
    if (cells.length) units.push(rowSentence(header, cells, lines[j]!.offset));
  }
  return { units, next: j };
}

const CONNECTOR = new Set(['of', 'and', 'on', 'the', 'in', 'for', 'to', 'with', 'a', 'an', '&']);

/**
 * Where the value starts in a row of a table whose cells were flattened into words ("Agriculture US$ 200 Million",
 * "Energy Sector investment in renewable energy projects"): at the first number or currency, the first lower-case
 * word that is not a connector, a capitalised verb form followed by a lower-case word ("Increased food…"), a modal
 * ("Could lead…"), or a capitalised word opening a phrase ("Access to modern…").
 * Returns 0 when no boundary is clear.
 */
function valueStart(words: string[]): number {
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    const next = words[i + 1] ?? '';
    if (/^(?:US\$|\$|€|£|\d)/.test(w)) return i;
    if (/^\p{Ll}/u.test(w) && !CONNECTOR.has(w)) return i;
    if (/^\p{Lu}\p{Ll}+(?:ing|ed)$/u.test(w) && /^\p{Ll}/u.test(next)) return i;
    if (/^(?:Could|Can|May|Might|Will|Would)$/.test(w)) return i;
    if (/^\p{Lu}/u.test(w) && /^(?:to|for)$/.test(next) && /^\p{Ll}/u.test(words[i + 2] ?? '')) return i;
  }
  return 0;
}

/**
 * A table flattened into lines of words (a header line such as "Sector Potential Investment", then short rows with
 * no blank line between). Where the column boundary is lost, the header stays whole; each row is split into its
 * name and the rest where the words show it ("Agriculture — Sector Potential Investment: US$ 200 Million."), and
 * otherwise keeps its words in order after the header.
 */
function flattenedTable(lines: Line[], i: number): { units: Unit[]; next: number } | null {
  const head = lines[i]!.text.trim();
  if (!head || !looksLikeHeading(head) || isBulleted(lines[i]!.text) || wordCount(head) > 8 || head.includes(',')) return null;
  let j = i + 1;
  while (j < lines.length) {
    const t = lines[j]!.text.trim();
    // Cells hold phrases, not prose: a line with a comma clause is a paragraph, however short.
    if (!t || isBulleted(lines[j]!.text) || t.includes('|') || wordCount(t) > 20 || t.endsWith(':') || t.includes(', ') || isFurniture(t)) break;
    j++;
  }
  const rows = lines.slice(i + 1, j);
  const blockEnds = j >= lines.length || !lines[j]!.text.trim();
  if (rows.length < 2 || !blockEnds) return null;

  const header = head.replace(/\s+/g, ' ');
  const units = rows.map((row) => {
    const lead = row.text.length - row.text.trimStart().length;
    const body = row.text.trim();
    const words = [...body.matchAll(/\S+/g)];
    const split = /^\d/.test(words[0]![0]) ? 1 : valueStart(words.map((w) => w[0]));
    if (split === 0) {
      return {
        kind: 'row' as const,
        pieces: [
          { text: `${header}: `, orig: row.offset + lead, verbatim: false },
          ...repairedPieces(row, lead, lead + body.length),
          ...(/[.!?]$/.test(body) ? [] : [{ text: '.', orig: row.offset + lead, verbatim: false }]),
        ],
      };
    }
    const at = words[split]!.index!;
    let nameEnd = at;
    while (nameEnd > 0 && /\s/.test(body[nameEnd - 1]!)) nameEnd--;
    const name = repairedPieces(row, lead, lead + nameEnd);
    const value = repairedPieces(row, lead + at, lead + body.length);
    return rowSentence(['', header], [name, value], row.offset + lead);
  });
  return { units, next: j };
}

// ---- FAQ blocks ----------------------------------------------------------------------------------------------------

const isQuestion = (t: string) => stripBullet(t).endsWith('?');

/**
 * A list of questions followed by their answers as separate paragraphs, in the same order: each question is put
 * back in front of its answer so the two are read, chunked and cited together.
 */
function faqBlock(lines: Line[], i: number): { units: Unit[]; next: number } | null {
  let j = i;
  while (j < lines.length && lines[j]!.text.trim() && isQuestion(lines[j]!.text)) j++;
  const questions = lines.slice(i, j);
  if (questions.length < 2) return null;
  const answers: Line[] = [];
  let k = j;
  while (k < lines.length && answers.length < questions.length) {
    const t = lines[k]!.text.trim();
    if (t && !isFurniture(t)) {
      if (isQuestion(t) || looksLikeHeading(t)) break;
      answers.push(lines[k]!);
    }
    k++;
  }
  if (answers.length !== questions.length) return null;
  const units = questions.map((q, n) => ({
    kind: 'paragraph' as const,
    pieces: [...lineContent(q), { text: ' ', orig: answers[n]!.offset, verbatim: false }, ...lineContent(answers[n]!)],
  }));
  return { units, next: k };
}

// ---- the document --------------------------------------------------------------------------------------------------

/**
 * Whether plain text was hard-wrapped (saved from an e-mail or a terminal at ~72–80 columns): most of its lines
 * fill a narrow band of widths and none is much longer. Articles saved one paragraph per line have long lines.
 */
function isHardWrapped(raw: string): boolean {
  const lengths = raw.split('\n').map((l) => l.trimEnd().length).filter((n) => n > 0);
  if (lengths.length < 8 || lengths.some((n) => n > 100)) return false;
  return lengths.filter((n) => n >= 55).length >= lengths.length * 0.6;
}

/**
 * A hard-wrapped paragraph as one line: each line break inside a paragraph becomes a space, so offsets are kept.
 * A blank line, a bullet or a short line (a heading, the end of a paragraph) still ends it.
 */
function unwrapped(raw: string): string {
  return raw.replace(/([^\s])(\r?\n)(?=[^\s•●▪◦‣∙*-])/g, (m, last: string, newline: string, at: number) => {
    const lineStart = raw.lastIndexOf('\n', at) + 1;
    return at + 1 - lineStart >= 55 ? last + ' '.repeat(newline.length) : m;
  });
}

function splitLines(raw: string): Line[] {
  const lines: Line[] = [];
  let offset = 0;
  for (const text of raw.split('\n')) {
    lines.push({ text: text.replace(/\r$/, ''), offset });
    offset += text.length + 1;
  }
  return lines;
}

/** "# Heading": a heading the parser of a markdown or HTML file marked as one. */
const MARKED_HEADING = /^\s*#{1,6}\s+/;
/** Lines after a "Related:" or "Read more:" label: headlines of other articles, up to the next blank line. */
const LIST_LABEL = /^(?:related|read (?:more|next|also)|also (?:read|on)|more (?:from|on|stories)|see also|recommended|you (?:may|might) also like)\b[^.!?]{0,20}:?$/i;

/**
 * The line of a file that opens with its title and the body right under it, as reference texts are saved
 * ("Insulin", then "Insulin is a peptide hormone…"); -1 when the file does not. The title is heading-shaped (short,
 * no final stop; a "# " heading where the parser marks them); the body is the next non-blank line, prose rather than
 * a heading, a list item or furniture. Such a line is the title however short, and it is kept even where its
 * repetition across the corpus (the first line of every passage of one article) or its capitals would make it
 * furniture; a label in capitals only when the body repeats it ("NATO" over "The North Atlantic Treaty Organization
 * (NATO) is…"), since "PRESS RELEASE" stands above body text too. A site's masthead has its menus or its headline
 * under it, not the body.
 */
function titleLine(lines: Line[], headings: CleanOptions['headings']): number {
  const at = lines.findIndex((l) => l.text.trim());
  if (at < 0 || (headings === 'marked' && !MARKED_HEADING.test(lines[at]!.text))) return -1;
  const title = lines[at]!.text.trim().replace(MARKED_HEADING, '');
  if (!looksLikeHeading(title) || isBulleted(lines[at]!.text)) return -1;
  const capitals = isCapsLabel(title);
  if (isFurniture(title) && !capitals) return -1;
  let next = at + 1;
  while (next < lines.length && !lines[next]!.text.trim()) next++;
  const body = lines[next]?.text ?? '';
  if (!body.trim() || looksLikeHeading(body) || isBulleted(body) || MARKED_HEADING.test(body) || isFurniture(body.trim())) return -1;
  const words = (t: string) => ` ${t.split(/[^\p{L}\p{N}]+/u).join(' ')} `;
  return !capitals || words(body).includes(words(title)) ? at : -1;
}

/** Whether a line of a document belongs to the corpus's furniture (`repeatedLines`). */
const furnitureKey = (t: string) => (wordCount(t) <= FURNITURE_MAX_WORDS ? normalized(t.replace(MARKED_HEADING, '')) : '');

/** The document's units in reading order, and whether the first of them is the title on its first line (`titleLine`). */
function units(raw: string, options: CleanOptions): { units: Unit[]; titled: boolean } {
  const lines = splitLines(options.headings !== 'marked' && isHardWrapped(raw) ? unwrapped(raw) : raw);
  const furniture = options.furniture ?? new Set<string>();
  const titleAt = titleLine(lines, options.headings);
  const out: Unit[] = [];
  for (let i = 0; i < lines.length; ) {
    const line = lines[i]!;
    const t = line.text.trim();
    const table = t ? markdownTable(lines, i) : null;
    if (table) {
      for (const item of table.units) out.push(item);
      i = table.next;
      continue;
    }
    const body = t.replace(MARKED_HEADING, '');
    if (!body || (i !== titleAt && (isFurniture(body) || furniture.has(furnitureKey(t))))) {
      i++;
      // The list a label introduces goes with it: short lines without a full stop, up to a blank line.
      if (LIST_LABEL.test(body)) {
        while (i < lines.length && lines[i]!.text.trim() && wordCount(lines[i]!.text) <= 16 && !/[.!?]$/.test(lines[i]!.text.trim())) i++;
      }
      continue;
    }
    const marker = MARKED_HEADING.exec(line.text);
    if (marker) {
      const pieces = repairedPieces(line, marker[0].length, line.text.trimEnd().length);
      if (pieces.length) out.push({ kind: 'heading', pieces });
      i++;
      continue;
    }
    const block = faqBlock(lines, i) ?? (options.headings === 'marked' ? null : flattenedTable(lines, i));
    if (block) {
      for (const item of block.units) out.push(item);
      i = block.next;
      continue;
    }
    const pieces = lineContent(line);
    if (pieces.length) {
      const shapedHeading = options.headings !== 'marked' && looksLikeHeading(t);
      const kind: UnitKind = isBulleted(line.text) ? 'item' : shapedHeading ? 'heading' : 'paragraph';
      out.push({ kind, pieces });
    }
    i++;
  }
  return { units: out, titled: titleAt >= 0 };
}

/** Lines of at most this many words can be furniture; longer ones are prose, even when repeated. */
const FURNITURE_MAX_WORDS = 12;

/**
 * The short lines that several documents of a corpus share: mastheads, menus, newsletter and share lines of a site
 * whose pages were saved. A line in three documents is furniture; in two, when it is a short label rather than a
 * sentence or a headline. Whole sentences repeated by two articles (one story reported twice) stay.
 */
export function repeatedLines(texts: Iterable<string>): Set<string> {
  const counts = new Map<string, { documents: number; label: boolean }>();
  for (const text of texts) {
    const seen = new Set<string>();
    for (const line of text.split('\n')) {
      const t = line.trim();
      // A list item naming another article ("- Eritrea and Russia agree…") links to it: that headline is not furniture.
      if (isBulleted(line)) continue;
      const key = furnitureKey(t);
      if (key.length < 3 || seen.has(key)) continue;
      seen.add(key);
      const known = counts.get(key);
      if (known) known.documents++;
      else counts.set(key, { documents: 1, label: wordCount(t) <= 8 && !/[.!?]["”’)]?$/.test(t) });
    }
  }
  return new Set([...counts].filter(([, c]) => c.documents >= 3 || (c.documents === 2 && c.label)).map(([key]) => key));
}

/** The date a byline or time stamp near the top states: "Updated: 8 October 2024 17:40 EAT". */
function stampedDate(raw: string): string | undefined {
  const top = raw.split('\n', 40).map((l) => l.trim().replace(MARKED_HEADING, '')).filter(Boolean).slice(0, 15);
  for (const t of top) {
    if (isStamp(t)) {
      const date = isoDate(t);
      if (date) return date;
    }
  }
  return undefined;
}

/**
 * Drops a unit whose words already stood earlier in the document: a heading repeated on the next line, a section
 * the generator wrote twice. Very short units (a one-word heading) may repeat legitimately and are kept.
 */
function withoutRepeats(list: Unit[]): Unit[] {
  const seen = new Set<string>();
  return list.filter((u) => {
    const key = normalized(unitText(u));
    if (key.length < 20) return true;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const TITLE_LINE = /^\s*title\s*:\s*/i;
/** Longer titles taken from a first sentence are cut here, at a word, so a headline run into its body stops. */
const TITLE_MAX_WORDS = 12;

/** Words a headline never ends on: a capitalised word after one of them continues the sentence. */
const FUNCTION_WORDS = new Set(['a', 'an', 'the', 'of', 'in', 'on', 'at', 'to', 'for', 'with', 'and', 'or', 'by', 'from', 'as', 'into', 'over']);

/**
 * Where the body starts when a headline runs straight into it ("Lesotho textile workers lose jobs Six foreign-owned
 * textile factories have closed…"): the first capitalised word, after a few words, that follows a lower-case word
 * a headline can end on, and that the document writes in lower case elsewhere ("six") or that restarts the headline
 * with its first two words ("German business confidence slides German business confidence fell…"). Names ("Jamie Foxx") are never written
 * in lower case, acronyms are all capitals: neither starts the body. 0 when no such word is found.
 */
function bodyStart(words: string[], text: string): number {
  const lower = new Set(text.match(/(?<![\p{L}'’-])\p{Ll}[\p{L}'’-]*/gu) ?? []);
  for (let i = 3; i < Math.min(words.length, TITLE_MAX_WORDS + 1); i++) {
    const word = words[i]!;
    const previous = words[i - 1]!;
    if (!/^\p{Lu}(?:\p{Ll}|$)/u.test(word) || !/^\p{Ll}.*[\p{L}\p{N}'’]$/u.test(previous) || FUNCTION_WORDS.has(previous)) continue;
    const bare = word.replace(/['’]s$|[^\p{L}'’-]+$/gu, '');
    if (lower.has(bare.toLowerCase()) || (word === words[0] && words[i + 1] === words[1])) return i;
  }
  return 0;
}

/**
 * A title from the first sentence: the headline when it visibly runs into the body, else the first words, with "…"
 * when words were left out.
 */
function titleFromLead(lead: string, text: string): string {
  const words = lead.split(/\s+/).filter(Boolean);
  const body = bodyStart(words, text);
  if (body) return words.slice(0, body).join(' ');
  const max = TITLE_MAX_WORDS;
  return words.length <= max ? words.join(' ') : `${words.slice(0, max).join(' ').replace(/[,;:—–-]+$/, '')}…`;
}

/**
 * A heading of fewer words is not taken for a headline among other headings: mastheads and section labels ("Lakeside
 * Courier", "Business") are that short. Alone on a file's first line above the body, it is still its title (`titleLine`).
 */
const HEADLINE_MIN_WORDS = 3;

/**
 * Where the headline stands among the headings above the first paragraph: the longest of them (a masthead or a
 * section label is shorter), if it has HEADLINE_MIN_WORDS; -1 when there is none.
 */
function headlineIndex(list: Unit[]): number {
  const bodyAt = list.findIndex((u) => u.kind !== 'heading');
  const above = list.slice(0, bodyAt < 0 ? list.length : bodyAt).slice(0, 6).map((u) => wordCount(unitText(u)));
  const best = above.reduce((b, words, i) => (words > (above[b] ?? 0) ? i : b), 0);
  return (above[best] ?? 0) >= HEADLINE_MIN_WORDS ? best : -1;
}

/**
 * The title the file states; else a "Title:" line, the headline, or the title on the first line (`list` starts with
 * it when `headline` or `titled`); else a heading among the first units; else the headline the first sentence starts
 * with, or its first words.
 */
function chooseTitle(list: Unit[], headline: boolean, titled: boolean, text: string, paragraphStarts: number[], stated?: string): string {
  if (stated?.trim()) return stated.replace(/\s+/g, ' ').trim();
  const first = list[0];
  if (!first) return '';
  const firstText = unitText(first);
  if (TITLE_LINE.test(firstText)) return firstText.replace(TITLE_LINE, '');
  if (headline || titled) return firstText;
  // A headline under a lead paragraph, as some exports put it.
  const early = list.slice(0, 3).find((u) => u.kind === 'heading' && wordCount(unitText(u)) >= HEADLINE_MIN_WORDS);
  if (early) return unitText(early);
  const from = paragraphStarts[0] ?? 0;
  const paragraphEnd = text.indexOf('\n\n', from);
  const lead = splitSentences(text, from, paragraphEnd < 0 ? text.length : paragraphEnd)[0]?.text ?? '';
  return titleFromLead(lead, text);
}

export function cleanDocument(raw: string, options: CleanOptions = {}): CleanedDocument {
  const read = units(raw, options);
  const list = withoutRepeats(read.units);
  // Short lines after the last sentence are a trailer (a source line, a heading with nothing under it), not text.
  const isTrailer = (u: Unit) => u.kind === 'heading' || (wordCount(unitText(u)) <= 8 && !/[.!?]["”’)]?$/.test(unitText(u)));
  while (list.length > 1 && isTrailer(list[list.length - 1]!)) list.pop();
  // Headings above the headline are the site's masthead and section labels.
  const headline = headlineIndex(list);
  if (headline > 0) list.splice(0, headline);
  const pieces: Piece[] = [];
  const sections: Section[] = [];
  const starts: number[] = [];
  let length = 0;
  let current: Section = { heading: '', start: 0, end: 0 };
  list.forEach((u, n) => {
    if (n > 0) pieces.push({ text: '\n\n', orig: u.pieces[0]!.orig, verbatim: false });
    const start = length + (n > 0 ? 2 : 0);
    if (u.kind === 'heading') {
      current.end = length;
      if (current.end > current.start || current.heading) sections.push(current);
      // The heading itself stays in the text but outside the section's body: chunks carry it as their heading.
      current = { heading: unitText(u).replace(TITLE_LINE, ''), start: start + unitText(u).length, end: 0 };
    }
    starts.push(start);
    for (const item of u.pieces) pieces.push(item);
    length = start + unitText(u).length;
  });
  current.end = length;
  sections.push(current);

  const text = pieces.map((p) => p.text).join('');
  const pieceStarts: number[] = [];
  let at = 0;
  for (const p of pieces) {
    pieceStarts.push(at);
    at += p.text.length;
  }
  const toOriginal = (offset: number): number => {
    let lo = 0;
    let hi = pieces.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (pieceStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    const p = pieces[lo];
    if (!p) return 0;
    return p.verbatim ? p.orig + Math.min(offset - pieceStarts[lo]!, p.text.length) : p.orig;
  };

  const found = findPlaceholders(text);
  const sentences = found.length ? splitSentences(text) : [];
  const placeholders = found.map((p) => ({
    ...p,
    sentence: sentences.find((s) => s.start <= p.offset && p.offset < s.end)?.text ?? p.text,
  }));
  const paragraphStarts = list.map((u, n) => (u.kind === 'paragraph' ? starts[n]! : -1)).filter((s) => s >= 0);
  const title = chooseTitle(list, headline >= 0, read.titled, text, paragraphStarts, options.title);
  return { text, title, date: options.date ?? stampedDate(raw), sections, placeholders, toOriginal };
}
