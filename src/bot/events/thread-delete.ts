/** A deleted thread's conversation is forgotten. */
import { Events } from 'discord.js';
import { defineEvent } from '../context.js';

export default defineEvent(Events.ThreadDelete, async (ctx, thread) => {
  await ctx.memory.forget(thread.id);
});
