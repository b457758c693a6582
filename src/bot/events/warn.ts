/** discord.js warnings, with the token taken out. */
import { Events } from 'discord.js';
import { defineEvent } from '../context.js';

export default defineEvent(Events.Warn, (ctx, message) => ctx.logger.warn(ctx.redact(message)));
