import { MessageFlags, SlashCommandBuilder, type ButtonInteraction, type ChatInputCommandInteraction } from 'discord.js';
import { scopeHere } from '../asking.js';
import type { BotContext, LogFields } from '../context.js';
import { renderSources } from '../render.js';

export const data = new SlashCommandBuilder().setName('sources').setDescription('The documents the bot has indexed.');

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<LogFields> {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const sources = await ctx.engine.sources({ scope: scopeHere(interaction.channel, interaction.channelId, ctx) });
  await interaction.editReply(renderSources(sources, 0));
  return { documents: sources.length };
}

/** Page buttons carry `sources:<page>`. */
export async function button(interaction: ButtonInteraction, ctx: BotContext): Promise<LogFields> {
  const page = Number(interaction.customId.split(':')[1]) || 0;
  await interaction.update(renderSources(await ctx.engine.sources({ scope: scopeHere(interaction.channel, interaction.channelId, ctx) }), page));
  return { page };
}
