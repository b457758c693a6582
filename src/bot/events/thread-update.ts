/** A thread's conversation ends with the thread: archived by hand or after its inactivity period. */
import { Events } from 'discord.js';
import { defineEvent } from '../context.js';

export default defineEvent(Events.ThreadUpdate, async (ctx, _old, thread) => {
  if (thread.archived) await ctx.memory.forget(thread.id);
});
