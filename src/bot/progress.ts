/** A progress line kept up to date in a deferred reply while an ingest runs (/reindex, /add). */
import type { ChatInputCommandInteraction } from 'discord.js';
import type { IngestProgress } from '../rag/types.js';
import type { BotContext } from './context.js';
import { fileName } from './escape.js';
import { renderLine } from './render.js';

/** Progress edits are cosmetic; at most one every few seconds keeps well inside Discord's rate limits. */
const PROGRESS_EVERY_MS = 3_000;

export interface ProgressLine {
  /** Shows `text` now (stage changes the user should see at once, such as "fetching…"). */
  show(text: string): void;
  /** An ingest's progress, shown at most every PROGRESS_EVERY_MS, as "<doing>… embed 3/40 (file)". */
  onIngest(p: IngestProgress): void;
  /** Resolves once every edit sent so far is done, so the final reply comes last. */
  settled(): Promise<void>;
}

export function progressLine(interaction: ChatInputCommandInteraction, ctx: BotContext, doing: string): ProgressLine {
  let shownAt = Date.now();
  let edits = Promise.resolve();
  const show = (text: string) => {
    shownAt = Date.now();
    edits = edits
      .then(() => interaction.editReply(renderLine(text)))
      .then(
        () => undefined,
        (err: unknown) => ctx.logger.warn({ err, interaction: interaction.id }, 'progress edit failed'),
      );
  };
  return {
    show,
    onIngest(p) {
      if (Date.now() - shownAt < PROGRESS_EVERY_MS) return;
      show(`${doing}… ${p.stage} ${p.done}/${p.total}${p.source ? ` (${fileName(p.source)})` : ''}. The current index keeps answering meanwhile.`);
    },
    settled: () => edits,
  };
}
