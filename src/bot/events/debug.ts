/** discord.js debug lines (they quote parts of the token when identifying): redacted. */
import { Events } from 'discord.js';
import { defineEvent } from '../context.js';

export default defineEvent(Events.Debug, (ctx, message) => ctx.logger.debug(ctx.redact(message)));
