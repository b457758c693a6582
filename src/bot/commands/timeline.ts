import { MessageFlags, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext, LogFields } from '../context.js';
import { renderTimeline } from '../render.js';

export const data = new SlashCommandBuilder()
  .setName('timeline')
  .setDescription('Dated events about a subject, in date order, each quoted and cited.')
  .addStringOption((o) => o.setName('subject').setDescription('e.g. "Lavrov Africa meetings", "Russia and Mali"').setRequired(true).setMaxLength(300))
  .addStringOption((o) => o.setName('since').setDescription('Leave out events before this date: 2023, 2023-02 or 2023-02-07').setMaxLength(10))
  .addStringOption((o) => o.setName('until').setDescription('Leave out events after this date').setMaxLength(10))
  .addBooleanOption((o) => o.setName('public').setDescription('Show the timeline to the whole channel (default: only you)'));

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<LogFields> {
  const isPublic = interaction.options.getBoolean('public') ?? false;
  await interaction.deferReply(isPublic ? {} : { flags: MessageFlags.Ephemeral });
  const since = interaction.options.getString('since') ?? undefined;
  const until = interaction.options.getString('until') ?? undefined;
  const timeline = await ctx.engine.timeline({ subject: interaction.options.getString('subject', true), ...(since ? { since } : {}), ...(until ? { until } : {}) });
  await interaction.editReply(renderTimeline(timeline));
  return { events: timeline.events.length };
}
