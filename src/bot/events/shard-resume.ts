import { Events } from 'discord.js';
import { defineEvent } from '../context.js';

export default defineEvent(Events.ShardResume, (ctx, shard, replayed) => ctx.logger.info({ shard, replayed }, 'gateway resumed'));
