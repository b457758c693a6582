/**
 * The cleaned texts of an index's live build, read from its cleaned.txt as a person reads it: each document's text
 * under a line "==> <file name> <==" and a blank line, followed by a blank line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const HEADER = /^==> (.*) <==\n\n/gm;

/** Every document's cleaned text by its file name (as the header shows it). */
export function cleanedTexts(indexDir: string): Map<string, string> {
  const file = readFileSync(join(indexDir, 'current', 'cleaned.txt'), 'utf8');
  const headers = [...file.matchAll(HEADER)];
  return new Map(
    headers.map((h, i) => {
      const end = i + 1 < headers.length ? headers[i + 1]!.index : file.length;
      return [h[1]!, file.slice(h.index + h[0].length, end - '\n\n'.length)];
    }),
  );
}

/** One document's cleaned text; throws when the build holds none under that name. */
export function cleanedText(indexDir: string, source: string): string {
  const text = cleanedTexts(indexDir).get(source);
  if (text === undefined) throw new Error(`no cleaned text of ${source} in ${indexDir}`);
  return text;
}
