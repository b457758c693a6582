/**
 * Turns a scraped article into the text the bot reads: site furniture, trailers, SEO and promotional leftovers
 * and repeated sections removed; bullets and broken spacing repaired; tables turned into sentences that keep each
 * row with its column names; FAQ questions kept with their answers. Nothing factual is rewritten, and every
 * character of the cleaned text maps back to an offset in the original file.
 */
import { findPlaceholders } from '../text/flags.js';
import { splitSentences } from '../text/sentences.js';
import type { Placeholder } from '../types.js';

export interface Section {
  heading: string;
  start: number;
  end: number;
}

export interface CleanedDocument {
  text: string;
  title: string;
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
const wordCount = (s: string) => s.split(/\s+/).filter(Boolean).length;
const normalized = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

// ---- lines that are never content -------------------------------------------------------------------------------

const SEPARATOR = /^[\s.·•\-_=*~]*$/;
const FURNITURE = [
  /^exit mobile version$/i,
  /^(?:skip to (?:main )?content|advertisement|read more|related posts?|share this(?: article)?)$/i,
  /share your (?:insights|thoughts|views)|(?:leave|post) (?:a|your) comments?|comments? below/i,
  /^based on materials (?:from|of)\b/i,
  /^GSV\s+["“]/,
  /^(?:pro tip|editor'?s note|sponsored|subscribe)\b\s*:?/i,
];
/** A one-line author blurb: "A seasoned investigative journalist known for…". */
const AUTHOR_BLURB =
  /^(?:an?|the)\s+(?:[\p{L}-]+\s+){0,4}(?:journalist|correspondent|reporter|writer|editor|columnist|analyst|author)\b.{0,160}$/iu;
/** Search-engine leftovers that trail a paragraph: "LSI Keywords: *BRICS expansion*, …". */
const SEO_TAIL = /\s*\b(?:LSI Keywords|Keywords|Tags|Meta Description)\s*:.*$/i;

function isNoise(text: string): boolean {
  const t = text.trim();
  if (SEPARATOR.test(t)) return true;
  if (FURNITURE.some((re) => re.test(t))) return true;
  return AUTHOR_BLURB.test(t) && wordCount(t) <= 25;
}

// ---- repairing one line ------------------------------------------------------------------------------------------

const BULLET = /^\s*(?:[•●▪◦‣∙*]|-(?=\s))?\s*/u;

/**
 * Copies `line[from, to)` into pieces, collapsing runs of white space and putting back the space that scraping
 * dropped after punctuation ("relations,lavrov", "Africa.These").
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
  for (let i = from; i < to; i++) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      let j = i;
      while (j < to && /\s/.test(s[j]!)) j++;
      if (j - i === 1 && c === ' ') continue;
      copy(runStart, i);
      insert(' ', i);
      runStart = j;
      i = j - 1;
      continue;
    }
    const next = s[i + 1] ?? '';
    const missingSpace =
      i + 1 < to &&
      /\p{Ll}|\)/u.test(s[i - 1] ?? '') &&
      ((/[,;]/.test(c) && /\p{L}/u.test(next)) || (/[.!?]/.test(c) && /\p{Lu}/u.test(next) && /\p{Ll}/u.test(s[i + 2] ?? '')));
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
const endsSentence = (t: string) => /[.!?:;"”’)]$/.test(t.trim());

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
    pieces.push(...cell);
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
    if (!t || isBulleted(lines[j]!.text) || t.includes('|') || wordCount(t) > 20 || t.endsWith(':') || t.includes(', ')) break;
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
    if (t && !isNoise(t)) {
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

function splitLines(raw: string): Line[] {
  const lines: Line[] = [];
  let offset = 0;
  for (const text of raw.split('\n')) {
    lines.push({ text: text.replace(/\r$/, ''), offset });
    offset += text.length + 1;
  }
  return lines;
}

function units(raw: string): Unit[] {
  const lines = splitLines(raw);
  const out: Unit[] = [];
  for (let i = 0; i < lines.length; ) {
    const line = lines[i]!;
    const t = line.text.trim();
    if (!t || isNoise(t)) {
      i++;
      continue;
    }
    const block = markdownTable(lines, i) ?? faqBlock(lines, i) ?? flattenedTable(lines, i);
    if (block) {
      out.push(...block.units);
      i = block.next;
      continue;
    }
    const pieces = lineContent(line);
    if (pieces.length) {
      const kind: UnitKind = isBulleted(line.text) ? 'item' : looksLikeHeading(t) ? 'heading' : 'paragraph';
      out.push({ kind, pieces });
    }
    i++;
  }
  return out;
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

function chooseTitle(list: Unit[], text: string, paragraphStarts: number[]): string {
  const first = list[0];
  if (!first) return '';
  const firstText = unitText(first);
  if (TITLE_LINE.test(firstText)) return firstText.replace(TITLE_LINE, '');
  const headingAt = list.findIndex((u) => u.kind === 'heading');
  if (headingAt >= 0 && headingAt <= 2) return unitText(list[headingAt]!);
  const lead = splitSentences(text, paragraphStarts[0] ?? 0)[0]?.text ?? '';
  return lead.length <= 160 ? lead : `${lead.slice(0, 157).replace(/\s+\S*$/, '')}…`;
}

export function cleanDocument(raw: string): CleanedDocument {
  const list = withoutRepeats(units(raw));
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
    pieces.push(...u.pieces);
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

  const sentences = splitSentences(text);
  const placeholders = findPlaceholders(text).map((p) => ({
    ...p,
    sentence: sentences.find((s) => s.start <= p.offset && p.offset < s.end)?.text ?? p.text,
  }));
  const paragraphStarts = list.map((u, n) => (u.kind === 'paragraph' ? starts[n]! : -1)).filter((s) => s >= 0);
  return { text, title: chooseTitle(list, text, paragraphStarts), sections, placeholders, toOriginal };
}
