import { MessageFlags, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { scopeHere } from '../asking.js';
import type { BotContext } from '../context.js';
import { renderHelp } from '../render.js';

export const data = new SlashCommandBuilder().setName('help').setDescription('What the bot knows and how to ask it.');

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  await interaction.editReply(renderHelp(await ctx.engine.sources({ scope: scopeHere(interaction.channel, interaction.channelId, ctx) })));
}
