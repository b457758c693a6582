/**
 * `npm run deploy-commands`: registers the bot's slash commands and its message menu command (guild-scoped when
 * DISCORD_GUILD_ID is set).
 */
import { redactor } from '../src/bot/redact.js';
import { registerCommands } from '../src/bot/register.js';
import { loadConfig, type Config } from '../src/config.js';
import { runCli } from './cli.js';

let config: Config | undefined;
await runCli(
  async () => {
    config = loadConfig();
    const { scope, names } = await registerCommands(config.discord);
    const where =
      scope === 'guild'
        ? `in guild ${config.discord.guildId} (available now)`
        : 'globally (Discord may take up to an hour to show them; set DISCORD_GUILD_ID for instant registration while testing)';
    console.log(`Registered ${names.length} commands ${where}: ${names.join(', ')}`);
  },
  (line) => redactor(config?.discord.token)(line),
);
