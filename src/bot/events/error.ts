/** A client error discord.js could not attribute to a request. */
import { Events } from 'discord.js';
import { defineEvent } from '../context.js';

export default defineEvent(Events.Error, (ctx, err) => ctx.logger.error({ err }, 'discord client error'));
