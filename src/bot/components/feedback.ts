/**
 * 👍/👎 under an answer. A 👍 is thanked at once; a 👎 opens a form with one optional line ("what was wrong?"), and
 * the vote counts whether or not the form is sent. Both go to the feedback log; a 👎 also to the gap log, with its
 * reason when one is given.
 */
import {
  ActionRowBuilder,
  MessageFlags,
  ModalBuilder,
  TextInputBuilder,
  TextInputStyle,
  type ButtonInteraction,
  type ModalSubmitInteraction,
} from 'discord.js';
import { MAX_REASON_CHARS } from '../../gap-report.js';
import { scopeHere } from '../asking.js';
import type { BotContext, LogFields } from '../context.js';
import { parseFeedbackId, parseReasonFormId, reasonFormId } from '../feedback.js';
import { renderLine } from '../render.js';

export const prefix = 'feedback';
const REASON_FIELD = 'reason';

function reasonForm(answerId: string): ModalBuilder {
  return new ModalBuilder()
    .setCustomId(reasonFormId(answerId))
    .setTitle('What was wrong with this answer?')
    .addComponents(
      new ActionRowBuilder<TextInputBuilder>().addComponents(
        new TextInputBuilder()
          .setCustomId(REASON_FIELD)
          .setLabel('What was wrong? (optional)')
          .setPlaceholder('e.g. it cites the wrong article; the date is missing')
          .setStyle(TextInputStyle.Short)
          .setRequired(false)
          .setMaxLength(MAX_REASON_CHARS),
      ),
    );
}

function gapScope(interaction: ButtonInteraction | ModalSubmitInteraction, ctx: BotContext) {
  const scope = scopeHere(interaction.channel, interaction.channelId, ctx);
  return scope ? { scope: [...scope] } : {};
}

export async function button(interaction: ButtonInteraction, ctx: BotContext): Promise<LogFields> {
  const feedback = parseFeedbackId(interaction.customId);
  if (!feedback) throw new Error(`unknown feedback button ${interaction.customId}`);
  const time = new Date().toISOString();
  // The answer embed's title is the question as asked: it survives restarts, unlike any in-memory record.
  const question = interaction.message.embeds[0]?.title ?? '';
  await ctx.feedback.append({ time, answerId: feedback.answerId, question, userId: interaction.user.id, vote: feedback.vote });
  if (feedback.vote === 'down' && question) {
    const record = { time, kind: 'thumbs_down' as const, question, answerId: feedback.answerId, channelId: interaction.channelId, ...gapScope(interaction, ctx) };
    await ctx.gaps.append(record).catch((err: unknown) => ctx.logger.warn({ err, answerId: feedback.answerId }, 'could not write to the gap log'));
  }
  // The vote is written first, so it counts whether or not the form is sent; the form is then the reply to the click.
  if (feedback.vote === 'down') await interaction.showModal(reasonForm(feedback.answerId));
  else await interaction.reply({ ...renderLine('Thanks — your 👍 is noted.'), flags: MessageFlags.Ephemeral });
  return feedback;
}

export async function modal(interaction: ModalSubmitInteraction, ctx: BotContext): Promise<LogFields> {
  const answerId = parseReasonFormId(interaction.customId);
  if (!answerId) throw new Error(`unknown feedback form ${interaction.customId}`);
  // One line: Discord's short field allows no line break, but a client could send one.
  const reason = interaction.fields.getTextInputValue(REASON_FIELD).replace(/\s+/g, ' ').trim().slice(0, MAX_REASON_CHARS);
  if (reason) {
    const time = new Date().toISOString();
    await ctx.feedback.append({ time, answerId, question: '', userId: interaction.user.id, vote: 'down', reason });
    await ctx.gaps.append({ time, kind: 'reason', question: '', answerId, channelId: interaction.channelId, reason, ...gapScope(interaction, ctx) });
  }
  const line = reason ? 'Thanks — your 👎 is noted, with what was wrong.' : 'Thanks — your 👎 is noted.';
  await interaction.reply({ ...renderLine(line), flags: MessageFlags.Ephemeral });
  return { answerId, vote: 'down', reason: reason.length > 0 };
}
