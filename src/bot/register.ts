/**
 * Registers the slash commands and the message menu command with Discord: in one guild when DISCORD_GUILD_ID is set
 * (instant), else globally.
 */
import { REST, Routes } from 'discord.js';
import type { Config } from '../config.js';
import { ConfigError } from '../rag/errors.js';
import { commandDefinitions } from './commands/index.js';

export interface Registration {
  scope: 'guild' | 'global';
  /** Slash commands as "/name", context-menu commands by their menu label. */
  names: string[];
}

export async function registerCommands(discord: Config['discord']): Promise<Registration> {
  if (!discord.token) throw new ConfigError('DISCORD_TOKEN: is not set (see .env.example)');
  if (!discord.applicationId) throw new ConfigError('DISCORD_APPLICATION_ID: is not set (see .env.example)');
  const rest = new REST(discord.apiUrl ? { api: discord.apiUrl } : {}).setToken(discord.token);
  const route = discord.guildId
    ? Routes.applicationGuildCommands(discord.applicationId, discord.guildId)
    : Routes.applicationCommands(discord.applicationId);
  const registered = (await rest.put(route, { body: commandDefinitions })) as { name: string; type?: number }[];
  // Type 1 (or none) is a slash command; 3 is a message menu command.
  const names = registered.map((c) => (c.type === undefined || c.type === 1 ? `/${c.name}` : `“${c.name}” (message menu)`));
  return { scope: discord.guildId ? 'guild' : 'global', names };
}
