/** Every slash command the bot serves; `scripts/deploy-commands.ts` registers the same list. */
import type { SlashCommand } from '../context.js';
import * as ask from './ask.js';
import * as gaps from './gaps.js';
import * as help from './help.js';
import * as reindex from './reindex.js';
import * as sources from './sources.js';
import * as summary from './summary.js';
import * as timeline from './timeline.js';

export const commands: readonly SlashCommand[] = [ask, summary, timeline, sources, reindex, gaps, help];
