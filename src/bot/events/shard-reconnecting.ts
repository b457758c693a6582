import { Events } from 'discord.js';
import { defineEvent } from '../context.js';

export default defineEvent(Events.ShardReconnecting, (ctx, shard) => ctx.logger.info({ shard }, 'gateway reconnecting'));
