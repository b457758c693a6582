/**
 * Each file type through the reader that knows its structure. The markdown and HTML readers (mdast, Readability over
 * linkedom) are loaded on first use: they cost a few hundred milliseconds that a question, which reads no file, never
 * needs to pay.
 */
import { DOCUMENT_TYPES } from '../types.js';
import type { ParsedText } from './parsed.js';

const MARKDOWN_TYPES = new Set(['.md', '.markdown']);
const HTML_TYPES = new Set(['.html', '.htm']);
/** Every type has its reader below: plain text, markdown, HTML. */
export const SUPPORTED_TYPES: ReadonlySet<string> = new Set(DOCUMENT_TYPES);

/** The reader a file's extension (lower case, with its dot) calls for. */
export function formatOf(type: string): 'markdown' | 'html' | 'text' {
  return HTML_TYPES.has(type) ? 'html' : MARKDOWN_TYPES.has(type) ? 'markdown' : 'text';
}

/** `type` is the file's extension, lower case, with its dot. */
export async function parseByType(type: string, text: string): Promise<ParsedText> {
  const format = formatOf(type);
  if (format === 'html') return (await import('./html.js')).parseHtmlPage(text);
  if (format === 'markdown') return (await import('./markdown.js')).parseMarkdown(text);
  return { text, headings: 'shape' };
}
