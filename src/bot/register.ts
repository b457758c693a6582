/** Registers the slash commands with Discord: in one guild when DISCORD_GUILD_ID is set (instant), else globally. */
import { REST, Routes } from 'discord.js';
import type { Config } from '../config.js';
import { ConfigError } from '../rag/errors.js';
import { commands } from './commands/index.js';

export interface Registration {
  scope: 'guild' | 'global';
  names: string[];
}

export async function registerCommands(discord: Config['discord']): Promise<Registration> {
  if (!discord.token) throw new ConfigError('DISCORD_TOKEN: is not set (see .env.example)');
  if (!discord.applicationId) throw new ConfigError('DISCORD_APPLICATION_ID: is not set (see .env.example)');
  const rest = new REST(discord.apiUrl ? { api: discord.apiUrl } : {}).setToken(discord.token);
  const route = discord.guildId
    ? Routes.applicationGuildCommands(discord.applicationId, discord.guildId)
    : Routes.applicationCommands(discord.applicationId);
  const registered = (await rest.put(route, { body: commands.map((c) => c.data.toJSON()) })) as { name: string }[];
  return { scope: discord.guildId ? 'guild' : 'global', names: registered.map((c) => c.name) };
}
