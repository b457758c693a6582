/** Each file type through the reader that knows its structure. */
import { parseHtmlPage } from './html.js';
import { parseMarkdown } from './markdown.js';
import type { ParsedText } from './parsed.js';

const MARKDOWN_TYPES = new Set(['.md', '.markdown']);
const HTML_TYPES = new Set(['.html', '.htm']);
export const SUPPORTED_TYPES = new Set(['.txt', ...MARKDOWN_TYPES, ...HTML_TYPES]);

/** `type` is the file's extension, lower case, with its dot. */
export function parseByType(type: string, text: string): ParsedText {
  if (HTML_TYPES.has(type)) return parseHtmlPage(text);
  if (MARKDOWN_TYPES.has(type)) return parseMarkdown(text);
  return { text, headings: 'shape' };
}
