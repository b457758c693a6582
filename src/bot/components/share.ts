/**
 * "Share to channel" under a private answer or summary: posts the same answer (citations, flags, 👍/👎) publicly
 * under the asker's name, and a shared `/ask` answer opens its follow-up thread as a public `/ask` does. Once, and
 * only by the asker; the private copy loses the button.
 */
import { MessageFlags, type ButtonInteraction } from 'discord.js';
import { openConversation } from '../asking.js';
import type { BotContext, LogFields } from '../context.js';
import { NO_PINGS, renderAnswer, renderLine, renderSummary, sharedByLine } from '../render.js';
import type { Shareable } from '../sharing.js';

export const prefix = 'share';

/** The public message, and what the private copy keeps (its buttons without "Share"). */
function payloads(item: Shareable, answerId: string) {
  if (item.kind === 'answer') {
    const rendered = renderAnswer(item.answer, answerId, { lead: item.lead });
    return { shown: rendered, kept: rendered };
  }
  return { shown: renderSummary(item.summary, item.heading), kept: renderSummary(item.summary, item.heading) };
}

export async function button(interaction: ButtonInteraction, ctx: BotContext): Promise<LogFields> {
  const answerId = interaction.customId.slice(`${prefix}:`.length);
  const claim = ctx.shares.claim(answerId, interaction.user.id);
  if (!claim.ok) {
    await interaction.reply({ ...renderLine(claim.reason), flags: MessageFlags.Ephemeral });
    return { answerId, outcome: 'refused' };
  }
  const { shown, kept } = payloads(claim.item, answerId);
  try {
    await interaction.update({ components: kept.components });
    const posted = await interaction.followUp({ ...shown, content: sharedByLine(interaction.user.id), allowedMentions: NO_PINGS });
    const thread = claim.item.kind === 'answer' ? await openConversation(posted, claim.item.answer, interaction.user.id, ctx) : null;
    return { answerId, shared: claim.item.kind, thread };
  } catch (error) {
    ctx.shares.release(answerId, claim.item);
    throw error;
  }
}
