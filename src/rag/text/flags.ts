/**
 * Where a source cannot be taken at its word: template leftovers ("[insert date]") and hedged speculation
 * ("likely touched on", "could lead to"). Both are found in cleaned text and reported with the passage citing them.
 */
import type { Flag } from '../types.js';

/**
 * Template leftovers as content generators leave them. Each alternative needs a marker no article uses for real
 * content (an instruction word inside brackets, doubled braces, XX masks, lorem ipsum), so ordinary brackets,
 * years and acronyms never match.
 */
const PLACEHOLDER =
  /\[(?:insert|add|enter|fill(?:\s+in)?|tbd|tbc|todo|placeholder|date|name|source|link|citation needed)\b[^\]\n]{0,60}\]|\{\{[^{}\n]{0,60}\}\}|\b[Xx]{2}\/[Xx]{2}(?:\/[Xx]{2,4})?\b|\blorem ipsum\b/gi;

export interface PlaceholderMatch {
  text: string;
  offset: number;
}

export function findPlaceholders(text: string): PlaceholderMatch[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => ({ text: m[0], offset: m.index! }));
}

/**
 * Words by which a writer marks a guess rather than a report. Lower-case "may" only: "May" mid-sentence is the
 * month. "Expected to" is left out on purpose: in news copy it reports an announced plan ("talks are expected to
 * cover…"), not the writer's conjecture.
 */
const HEDGE =
  /\b(?:likely|unlikely|could|might|may|possibly|perhaps|potentially|presumably|probably|arguably|appears? to|seems? to|it remains to be seen)\b(?:\s+[\p{L}-]+){0,2}/gu;

export function findSpeculation(sentence: string): string[] {
  return [...sentence.matchAll(HEDGE)].map((m) => m[0]);
}

/** The flags a cited passage earns: one per placeholder in it, one if it speculates. */
export function flagsOf(source: string, passage: string): Flag[] {
  const flags: Flag[] = findPlaceholders(passage).map((p) => ({ kind: 'placeholder', text: p.text, source }));
  const hedges = findSpeculation(passage);
  if (hedges.length) flags.push({ kind: 'speculative', text: hedges[0]!, source });
  return flags;
}

/** Flags of several passages with repeats removed, in first-seen order. */
export function mergeFlags(flags: Flag[]): Flag[] {
  const seen = new Set<string>();
  return flags.filter((f) => {
    const key = `${f.kind}\u0000${f.text}\u0000${f.source}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
