/** Logged once the gateway session is ready. */
import { Events } from 'discord.js';
import { defineEvent } from '../context.js';

export default defineEvent(
  Events.ClientReady,
  (ctx, client) => ctx.logger.info({ user: client.user.id, guilds: client.guilds.cache.size }, 'bot ready'),
  { once: true },
);
