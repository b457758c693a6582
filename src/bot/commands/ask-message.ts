/**
 * "Ask the corpus", a message context-menu command: the message's text is the question, or, when it is not a
 * question, the claim to look up. Answered privately, with the share button.
 */
import { ApplicationCommandType, ContextMenuCommandBuilder, MessageFlags, type MessageContextMenuCommandInteraction } from 'discord.js';
import { answerQuestion, askRefusal, scopeHere } from '../asking.js';
import type { BotContext, LogFields } from '../context.js';
import { renderLine } from '../render.js';

export const data = new ContextMenuCommandBuilder().setName('Ask the corpus').setType(ApplicationCommandType.Message);

/** The longest question the engine takes (as `/ask`'s option allows); Discord messages may run to 4,000. */
const QUESTION_LIMIT = 2000;

/** Asks something: ends with "?" or opens with a question word ("who", "did", "how many"…). */
const QUESTION =
  /\?\s*$|^\s*(?:who|whom|whose|what|when|where|why|how|which|is|are|was|were|do|does|did|can|could|will|would|should|has|have|had)\b/i;

export function isQuestion(text: string): boolean {
  return QUESTION.test(text);
}

export async function execute(interaction: MessageContextMenuCommandInteraction, ctx: BotContext): Promise<LogFields> {
  const text = interaction.targetMessage.content.trim();
  const refuse = async (line: string, outcome: string) => {
    await interaction.reply({ ...renderLine(line), flags: MessageFlags.Ephemeral });
    return { outcome };
  };
  if (!text) return refuse('That message has no text to ask about (only attachments, embeds or stickers).', 'empty');
  if (text.length > QUESTION_LIMIT) {
    return refuse(
      `That message is ${text.length.toLocaleString('en')} characters long; a question can be at most ${QUESTION_LIMIT.toLocaleString('en')}. Ask about the part you mean with \`/ask\`.`,
      'too_long',
    );
  }
  const refusal = askRefusal(interaction.user.id, ctx);
  if (refusal) return refuse(refusal, 'rate_limited');
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const scope = scopeHere(interaction.channel, interaction.channelId, ctx);
  const claim = !isQuestion(text);
  const lead = claim ? 'Not a question, so looked up as a claim: what the corpus says about it.' : undefined;
  const { answerId, answer, payload, fields } = await answerQuestion(text, ctx, { channelId: interaction.channelId, scope, shareable: true, lead });
  ctx.shares.offer(answerId, { kind: 'answer', userId: interaction.user.id, answer, lead });
  await interaction.editReply(payload);
  return { ...fields, claim, message: interaction.targetId };
}
