/**
 * A saved web page as article text: Mozilla's Readability (the engine of Firefox's reader view) finds the article
 * in a linkedom DOM, leaving navigation, cookie banners, related lists and comment forms behind. The article is
 * written out as blocks separated by blank lines: headings marked with "# " (so only real headings become
 * headings), list items with "- ", tables as pipe tables; images, figures and their captions and footnote markers
 * are dropped. Pages where Readability finds no article fall back to the whole body, furniture removed.
 */
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { isoDate } from './dates.js';
import { READABILITY_MAX_ELEMENTS } from './limits.js';
import type { ParsedText } from './parsed.js';
import { wordCount } from '../text/sentences.js';

/** Elements that never carry article text. */
const SKIPPED = new Set([
  'SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'FIGURE', 'FIGCAPTION', 'IMG', 'PICTURE', 'SVG', 'IFRAME', 'VIDEO',
  'AUDIO', 'FORM', 'BUTTON', 'INPUT', 'SELECT', 'TEXTAREA', 'NAV', 'ASIDE', 'FOOTER',
]);
const HEADINGS = new Set(['H1', 'H2', 'H3', 'H4', 'H5', 'H6']);
/** Elements that start a new block of text; anything else is read inline. */
const BLOCKS = new Set([
  ...HEADINGS, 'P', 'DIV', 'SECTION', 'ARTICLE', 'MAIN', 'HEADER', 'BLOCKQUOTE', 'UL', 'OL', 'LI', 'TABLE', 'PRE',
  'DL', 'DT', 'DD', 'HR', 'BR', 'ADDRESS', 'DETAILS', 'SUMMARY',
]);
/** Inline elements whose text is not prose: footnote markers ("¹", "[2]"). */
const INLINE_SKIPPED = new Set(['SUP']);

/** Just what this module reads of a DOM node; linkedom's and the browser's nodes both have it. */
interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
}

const TEXT_NODE = 3;
const ELEMENT_NODE = 1;
const squeeze = (s: string) => s.replace(/\s+/g, ' ').trim();

function inlineText(node: DomNode): string {
  if (node.nodeType === TEXT_NODE) return node.textContent ?? '';
  if (node.nodeType !== ELEMENT_NODE || SKIPPED.has(node.nodeName) || INLINE_SKIPPED.has(node.nodeName)) return '';
  if (node.nodeName === 'BR') return ' ';
  return Array.from(node.childNodes, inlineText).join('');
}

const hasBlockChild = (node: DomNode) =>
  Array.from(node.childNodes).some((c) => c.nodeType === ELEMENT_NODE && BLOCKS.has(c.nodeName));

function tableBlock(table: DomNode, out: string[]): void {
  const rows: string[][] = [];
  const walk = (n: DomNode) => {
    for (const c of Array.from(n.childNodes)) {
      if (c.nodeName === 'TR') {
        const cells = Array.from(c.childNodes)
          .filter((d) => d.nodeName === 'TD' || d.nodeName === 'TH')
          .map((d) => squeeze(inlineText(d)).replace(/\|/g, '/'));
        if (cells.some(Boolean)) rows.push(cells);
      } else if (c.nodeType === ELEMENT_NODE) walk(c);
    }
  };
  walk(table);
  if (!rows.length) return;
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  out.push([line(rows[0]!), line(rows[0]!.map(() => '---')), ...rows.slice(1).map(line)].join('\n'));
}

/** The blocks of `node` in reading order, pushed onto `out`. */
function blocks(node: DomNode, out: string[]): void {
  if (node.nodeType !== ELEMENT_NODE || SKIPPED.has(node.nodeName)) return;
  if (node.nodeName === 'TABLE') return tableBlock(node, out);
  if (!hasBlockChild(node)) {
    const text = squeeze(inlineText(node));
    if (!text) return;
    if (HEADINGS.has(node.nodeName)) out.push(`# ${text}`);
    else if (node.nodeName === 'LI') out.push(`- ${text}`);
    else out.push(text);
    return;
  }
  // Mixed content: inline runs between block children are blocks of their own.
  let run = '';
  const flush = () => {
    const text = squeeze(run);
    if (text) out.push(node.nodeName === 'LI' ? `- ${text}` : text);
    run = '';
  };
  for (const c of Array.from(node.childNodes)) {
    if (c.nodeType === ELEMENT_NODE && BLOCKS.has(c.nodeName)) {
      flush();
      blocks(c, out);
    } else run += inlineText(c);
  }
  flush();
}

interface MetaDocument {
  querySelector(selector: string): { getAttribute(name: string): string | null; textContent: string | null } | null;
}

function metaContent(doc: MetaDocument, selectors: string[]): string | undefined {
  for (const s of selectors) {
    const el = doc.querySelector(s);
    const value = squeeze(el?.getAttribute('content') ?? el?.getAttribute('datetime') ?? '');
    if (value) return value;
  }
  return undefined;
}

/**
 * The page title without the site's name: "Eurasia Wire | Headline", "Headline - Eurasia Wire" → "Headline". The
 * page's own h1 settles it when the title contains it; else the part that is the known site name (og:site_name) is
 * dropped; else a short last part after a separator, or a short first part before "|".
 */
export function withoutSiteName(title: string, siteName?: string, h1?: string): string {
  if (h1 && wordCount(h1) >= 3 && title.includes(h1)) return h1;
  const separated = /\s+[|–—·-]\s+/g;
  const parts = title.split(separated);
  if (parts.length < 2) return title;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  const site = siteName ? squeeze(siteName).toLowerCase() : undefined;
  const rest = (part: string) => wordCount(title) - wordCount(part) >= 4;
  const dropFirst = () => title.slice(first.length).replace(/^\s+[|–—·-]\s+/, '');
  const dropLast = () => title.slice(0, title.length - last.length).replace(/\s+[|–—·-]\s+$/, '');
  if (site && first.toLowerCase() === site) return dropFirst();
  if (site && last.toLowerCase() === site) return dropLast();
  if (wordCount(last) <= 4 && rest(last)) return dropLast();
  if (/^\S.*?\s+\|\s+/.test(title) && wordCount(first) <= 3 && rest(first)) return dropFirst();
  return title;
}

/** A page where Readability finds no article: its article, main part or body minus page furniture, as blocks. */
function wholeBody(html: string): string[] {
  const { document } = parseHTML(html);
  document.querySelectorAll('header').forEach((el) => el.remove());
  const body = document.querySelector('article') ?? document.querySelector('main') ?? document.querySelector('body');
  const out: string[] = [];
  if (body) blocks(body as unknown as DomNode, out);
  return out;
}

export function parseHtmlPage(html: string): ParsedText {
  const { document } = parseHTML(html);
  const siteName = metaContent(document, ['meta[property="og:site_name"]', 'meta[name="application-name"]']);
  const headTitle =
    metaContent(document, ['meta[property="og:title"]', 'meta[name="twitter:title"]']) ??
    squeeze(document.querySelector('title')?.textContent ?? '');
  const published = metaContent(document, [
    'meta[property="article:published_time"]',
    'meta[name="date"]',
    'meta[name="pubdate"]',
    'meta[name="publish-date"]',
    'meta[itemprop="datePublished"]',
    'meta[name="dc.date"]',
    'time[datetime]',
  ]);
  const author = metaContent(document, ['meta[name="author"]', 'meta[property="article:author"]']);
  const h1 = squeeze(document.querySelector('h1')?.textContent ?? '');
  let out: string[] = [];
  // A page past this size is a table or a listing, read from its body: Readability's passes would take seconds.
  const large = document.querySelectorAll('*').length > READABILITY_MAX_ELEMENTS;
  // Readability rewrites the DOM it reads: everything above is taken first.
  const article = large ? null : new Readability(document as unknown as Document, { serializer: (node) => node }).parse();
  if (article?.content) blocks(article.content as unknown as DomNode, out);
  else if (large && document.body) blocks(document.body as unknown as DomNode, out);
  if (!out.length) out = wholeBody(html);
  const title = withoutSiteName(headTitle || squeeze(article?.title ?? '') || h1, siteName, h1);
  return {
    text: out.join('\n\n'),
    headings: 'marked',
    title: title || undefined,
    date: isoDate(published ?? article?.publishedTime ?? ''),
    author,
  };
}
