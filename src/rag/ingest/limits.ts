/**
 * The bounds on reading one corpus file, in one place with their reasons. A file past one of them is skipped with
 * the reason it names, and the rest of the corpus is indexed: no single file may stall an ingest or exhaust memory.
 *
 * Three lines of defence, cheapest first:
 * 1. size (MAX_DOCUMENT_BYTES, types.ts), decided from `fstat` before reading (load.ts);
 * 2. shapes no article has and that make a parser's time grow faster than the file (`shapeProblem`), found by one
 *    linear scan before the parser sees the text;
 * 3. a time and memory budget for everything else: each file is parsed, cleaned and chunked in a worker thread
 *    (bounded-worker.ts) that is terminated when it passes them, whatever it is doing.
 * Figures: `npm run bench:hostile` (BENCHMARKS.md).
 */

/* The size bound (1) is MAX_DOCUMENT_BYTES in types.ts, which the bot also reads to refuse an attachment before fetching it. */

/**
 * Block quotes and lists nested in markdown. Articles nest a few levels; micromark's time grows faster than
 * quadratically with depth (1,000 nested list markers 1.1 s; 1,000 lines of growing "> " quotes 15 s and 1 GB;
 * 10,000 list markers 88 s), so past this many levels on one line the file is not a document anyone wrote.
 */
export const MARKDOWN_MAX_NESTING = 16;

/**
 * Emphasis, link and code markers (`*`, `_`, `~` and backtick runs, each `[` and `]`) in one paragraph of markdown.
 * Resolving them is quadratic in their number within a paragraph (5,000 `*a` 2 s; 20,000 past 30 s; 20,000 `[a](b `
 * 7 s): a paragraph of prose holds a few dozen, a paragraph of links a few hundred.
 */
export const MARKDOWN_MAX_MARKERS_PER_PARAGRAPH = 1000;

/**
 * Elements open inside each other in an HTML page (elements whose end tag may be left out, such as <p>, <li> and
 * <td>, do not count). News pages nest 20–40 deep, and Blink stops nesting at 512; linkedom and Readability recurse
 * through the tree (2,000 nested <div>s 2 s, 8,000 overflow the stack, 100,000 past 60 s).
 */
export const HTML_MAX_NESTING = 128;

/**
 * Elements above which a page is read without Readability, straight from its body: Readability scores every element
 * in several passes (a 5 MB page of one table, 295,000 elements: 8.5 s after parsing it), and a page that large is a
 * table or a listing rather than an article with furniture around it.
 */
export const READABILITY_MAX_ELEMENTS = 20_000;

/**
 * Time to parse, clean and chunk one file, in its worker. The largest real files (5 MB of prose, 200,000 short lines,
 * a 5 MB page of one table) take 6–18 s on this 2-core machine under a load of 12 (a third of that when it is idle);
 * past this a file is a parser's worst case, skipped so that an ingest with it still ends within 30 s.
 */
export const FILE_TIME_BUDGET_MS = 20_000;

/**
 * Heap for one file's worker. A 5 MB one-table page peaks near 700 MB in linkedom's DOM; a pathological markdown list
 * (50,000 items) passes 1 GB and would take the ingest down with it.
 */
export const FILE_MEMORY_MB = 1536;

/** Elements that never hold others: they open no level. */
const VOID_ELEMENTS = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr',
]);
/** Elements whose end tag HTML lets authors leave out: pages rarely close them, and parsers close them implicitly. */
const OPTIONAL_END = new Set([
  'html', 'head', 'body', 'p', 'li', 'dt', 'dd', 'tr', 'td', 'th', 'thead', 'tbody', 'tfoot', 'option', 'optgroup',
  'colgroup', 'caption', 'rb', 'rt', 'rp', 'rtc',
]);
/** Elements whose content is text, not markup, up to their own end tag. */
const RAW_TEXT = /^(?:script|style|textarea|title|xmp|noscript|iframe|noembed|noframes|plaintext)$/;

/** How deep an HTML page nests, and how many elements it has: one pass over its tags, no DOM built. */
export function htmlShape(html: string): { depth: number; elements: number } {
  const lower = html.toLowerCase();
  let depth = 0;
  let deepest = 0;
  let elements = 0;
  for (let at = lower.indexOf('<'); at >= 0; at = lower.indexOf('<', at + 1)) {
    if (lower.startsWith('<!--', at)) {
      at = lower.indexOf('-->', at + 4);
      if (at < 0) break;
      continue;
    }
    const end = lower.indexOf('>', at);
    if (end < 0) break;
    const tag = /^<(\/?)([a-z][^\s/>]*)/.exec(lower.slice(at, Math.min(end, at + 64)));
    if (!tag) continue;
    const name = tag[2]!;
    at = end;
    if (tag[1]) {
      if (!VOID_ELEMENTS.has(name) && !OPTIONAL_END.has(name)) depth = Math.max(0, depth - 1);
      continue;
    }
    elements++;
    if (RAW_TEXT.test(name)) {
      const close = lower.indexOf(`</${name}`, end);
      if (close < 0) break;
      at = close;
      continue;
    }
    if (lower[end - 1] === '/' || VOID_ELEMENTS.has(name) || OPTIONAL_END.has(name)) continue;
    deepest = Math.max(deepest, ++depth);
  }
  return { depth: deepest, elements };
}

/** A markdown line's opening containers: block quote markers and list markers, after any indentation. */
const CONTAINER = /[ \t]*(?:>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+)/y;
const FENCE = /^[ \t]*(?:[>*+-][ \t]*|\d{1,9}[.)][ \t]*)*(```|~~~)/;
/** A line that starts a block of its own, so the paragraph before it ends. */
const BLOCK_START = /^[ \t]*(?:[>#]|[-*+][ \t]|\d{1,9}[.)][ \t]|$)/;
const MARKER = /\[|\]|\*+|_+|~+|`+/g;

/** How deep one markdown line nests: its container markers, and the list levels its indentation can open. */
function lineNesting(line: string): number {
  const indent = /^[ \t]*/.exec(line)![0].replace(/\t/g, '    ').length;
  let markers = 0;
  CONTAINER.lastIndex = 0;
  while (CONTAINER.exec(line)) markers++;
  // A nested list item stands at least two columns right of its parent's marker.
  return markers ? markers + Math.floor(indent / 2) : 0;
}

/** The deepest nesting of a markdown text and the most inline markers one paragraph holds; fenced code is skipped. */
export function markdownShape(text: string): { depth: number; markers: number } {
  let depth = 0;
  let markers = 0;
  let paragraph = 0;
  let fence: string | null = null;
  for (const line of text.split('\n')) {
    const opening = FENCE.exec(line)?.[1];
    if (fence) {
      if (opening === fence) fence = null;
      continue;
    }
    if (opening) {
      fence = opening;
      paragraph = 0;
      continue;
    }
    depth = Math.max(depth, lineNesting(line));
    if (BLOCK_START.test(line)) paragraph = 0;
    paragraph += line.match(MARKER)?.length ?? 0;
    markers = Math.max(markers, paragraph);
  }
  return { depth, markers };
}

/** Why a file's text is not given to its parser, or null when its shape is within the bounds above. */
export function shapeProblem(type: 'markdown' | 'html' | 'text', text: string): string | null {
  if (type === 'markdown') {
    const { depth, markers } = markdownShape(text);
    if (depth > MARKDOWN_MAX_NESTING) return `nesting deeper than ${MARKDOWN_MAX_NESTING} levels (${depth})`;
    if (markers > MARKDOWN_MAX_MARKERS_PER_PARAGRAPH) {
      return `more than ${MARKDOWN_MAX_MARKERS_PER_PARAGRAPH} emphasis or link markers in one paragraph (${markers})`;
    }
  }
  if (type === 'html') {
    const { depth } = htmlShape(text);
    if (depth > HTML_MAX_NESTING) return `nesting deeper than ${HTML_MAX_NESTING} levels (${depth})`;
  }
  return null;
}
