import { Events } from 'discord.js';
import { defineEvent } from '../context.js';

export default defineEvent(Events.ShardError, (ctx, err, shard) => ctx.logger.warn({ shard, err }, 'gateway error'));
