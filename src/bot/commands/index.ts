/** Every command the bot serves, slash and context-menu; `scripts/deploy-commands.ts` registers the same list. */
import type { MessageCommand, SlashCommand } from '../context.js';
import * as add from './add.js';
import * as askMessage from './ask-message.js';
import * as ask from './ask.js';
import * as gaps from './gaps.js';
import * as help from './help.js';
import * as reindex from './reindex.js';
import * as scope from './scope.js';
import * as sources from './sources.js';
import * as summary from './summary.js';
import * as timeline from './timeline.js';

const slash: readonly SlashCommand[] = [ask, summary, timeline, sources, reindex, add, scope, gaps, help];
const menu: readonly MessageCommand[] = [askMessage];

export const slashCommands: ReadonlyMap<string, SlashCommand> = new Map(slash.map((c) => [c.data.name, c]));
export const messageCommands: ReadonlyMap<string, MessageCommand> = new Map(menu.map((c) => [c.data.name, c]));
/** What Discord is told the bot offers, in the order it lists them. */
export const commandDefinitions = [...slash, ...menu].map((c) => c.data.toJSON());
