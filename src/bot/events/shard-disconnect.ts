import { Events } from 'discord.js';
import { defineEvent } from '../context.js';

export default defineEvent(Events.ShardDisconnect, (ctx, event, shard) => ctx.logger.warn({ shard, code: event.code }, 'gateway disconnected'));
