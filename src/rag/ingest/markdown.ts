/**
 * A markdown export as article text, read by a real parser (mdast, with YAML front matter): the front matter
 * becomes the title, date and author instead of prose; paragraphs hard-wrapped at 76 columns become one line each;
 * only ATX/setext headings are headings (written "# …" for cleaning); images are dropped and links keep their
 * text; footnote markers in <sup> and a heading whose "#" was escaped ("\### What it means") lose their markup.
 */
import type { Nodes, Root, RootContent } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { frontmatterFromMarkdown } from 'mdast-util-frontmatter';
import { frontmatter } from 'micromark-extension-frontmatter';
import { parseHTML } from 'linkedom';
import { parse as parseYaml } from 'yaml';
import { isoDate } from './dates.js';
import type { ParsedText } from './parsed.js';

const squeeze = (s: string) => s.replace(/\s+/g, ' ').trim();

/** The text of a piece of raw HTML in the markdown, tags dropped and entities decoded (by the parser html.ts uses). */
const htmlText = (html: string) => parseHTML(`<!doctype html><html><body>${html}</body></html>`).document.body.textContent ?? '';

/** Inline text of a node: images and footnote markers (<sup>…</sup>) dropped, soft line breaks become spaces. */
function inlineText(node: Nodes): string {
  const parts: string[] = [];
  let inSup = 0;
  const walk = (n: Nodes) => {
    switch (n.type) {
      case 'text':
      case 'inlineCode':
        if (!inSup) parts.push(n.value);
        return;
      case 'break':
        parts.push(' ');
        return;
      case 'image':
      case 'imageReference':
      case 'footnoteReference':
        return;
      case 'html':
        if (/^<sup\b/i.test(n.value)) inSup++;
        else if (/^<\/sup>/i.test(n.value)) inSup = Math.max(0, inSup - 1);
        else if (!inSup) parts.push(htmlText(n.value));
        return;
      default:
        if ('children' in n) for (const c of n.children) walk(c as Nodes);
    }
  };
  walk(node);
  return squeeze(parts.join(''));
}

/** A paragraph whose lines are pipe-table rows: kept line by line, for cleaning to read as a table. */
function tableLines(node: RootContent, source: string): string | undefined {
  const { start, end } = node.position ?? {};
  if (start?.offset === undefined || end?.offset === undefined) return undefined;
  const lines = source.slice(start.offset, end.offset).split('\n');
  return lines.length >= 2 && lines.every((l) => l.includes('|')) ? lines.map((l) => l.trim()).join('\n') : undefined;
}

function blocks(nodes: RootContent[], source: string, out: string[], bullet = ''): void {
  for (const node of nodes) {
    switch (node.type) {
      case 'heading': {
        const text = inlineText(node);
        if (text) out.push(`# ${text}`);
        break;
      }
      case 'paragraph': {
        const table = tableLines(node, source);
        if (table) {
          out.push(table);
          break;
        }
        const text = inlineText(node);
        // "\### What it means": an escaped heading marker stands before what the author meant as a heading.
        const escaped = /^#{1,6}\s+(.*)$/.exec(text);
        if (escaped) out.push(`# ${escaped[1]}`);
        else if (text) out.push(`${bullet}${text}`);
        break;
      }
      case 'list':
        for (const item of node.children) blocks(item.children, source, out, '- ');
        break;
      case 'blockquote':
        blocks(node.children, source, out, bullet);
        break;
      case 'code':
        if (node.value.trim()) out.push(node.value);
        break;
      case 'html': {
        const text = squeeze(htmlText(node.value.replace(/<sup>.*?<\/sup>/gis, '')));
        if (text) out.push(text);
        break;
      }
      default:
        break; // front matter (read apart), thematic breaks, definitions
    }
  }
}

interface FrontMatter {
  title?: unknown;
  date?: unknown;
  author?: unknown;
}

function frontMatterOf(tree: Root): FrontMatter {
  const yaml = tree.children.find((n) => n.type === 'yaml');
  if (!yaml || yaml.type !== 'yaml') return {};
  try {
    const data: unknown = parseYaml(yaml.value);
    return data && typeof data === 'object' ? (data as FrontMatter) : {};
  } catch {
    return {}; // malformed front matter: the article still reads, without its metadata
  }
}

const stringOf = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? squeeze(String(v)) || undefined : undefined);

export function parseMarkdown(source: string): ParsedText {
  const tree = fromMarkdown(source, { extensions: [frontmatter(['yaml'])], mdastExtensions: [frontmatterFromMarkdown(['yaml'])] });
  const meta = frontMatterOf(tree);
  const out: string[] = [];
  blocks(tree.children, source, out);
  const date = meta.date instanceof Date ? meta.date.toISOString().slice(0, 10) : isoDate(stringOf(meta.date) ?? '');
  const author = Array.isArray(meta.author) ? meta.author.map(stringOf).filter(Boolean).join(', ') : stringOf(meta.author);
  return { text: out.join('\n\n'), headings: 'marked', title: stringOf(meta.title), date, author: author || undefined };
}
