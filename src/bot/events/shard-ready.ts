import { Events } from 'discord.js';
import { defineEvent } from '../context.js';

export default defineEvent(Events.ShardReady, (ctx, shard) => ctx.logger.info({ shard }, 'gateway ready'));
