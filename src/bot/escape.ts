/**
 * Text that comes from a document or a model, made harmless before it reaches Discord. A corpus file or a model
 * reply is outside text: written as markdown it could hide a link behind innocent words ([1](https://phish)), hide
 * text as a spoiler, open a code block or a heading that swallows the rest of the message, or reverse the display of
 * what follows with a bidi control. Nobody is pinged whatever it holds: every payload sets allowedMentions to none.
 */
import { escapeMarkdown } from 'discord.js';
import { oneLine } from '../rag/types.js';

/** Embedding and override controls (LRE…RLO, LRI…PDI), which reorder the display of the text around them. */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

/**
 * Outside text shown as markdown (answer text, quotes, titles, warnings): every construct shown literally. Masked
 * links are broken at "](" — all of them, where discord.js escapes only the first on a line — so the address, if
 * any, shows as the plain address it is; subtext ("-# ") and block quotes ("> ") opening a line are escaped too.
 */
export function escapeOutside(text: string): string {
  return escapeMarkdown(text.replace(BIDI_CONTROLS, ''), { heading: true, bulletedList: true, numberedList: true })
    .replaceAll('](', ']\\(')
    .replace(/^(\s*)(-#|>)/gm, '$1\\$2');
}

/**
 * A file name in backticks. Nothing is markdown inside a code span, so only a backtick (shown as ˋ), a line break
 * or a bidi control (shown as an escape such as \u202e) could break out of it or disguise it.
 */
export function fileName(name: string): string {
  return `\`${oneLine(name).replaceAll('`', 'ˋ')}\``;
}
