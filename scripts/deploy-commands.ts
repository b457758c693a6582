/** `npm run deploy-commands`: registers the bot's slash commands (guild-scoped when DISCORD_GUILD_ID is set). */
import { redactor } from '../src/bot/redact.js';
import { registerCommands } from '../src/bot/register.js';
import { loadConfig, type Config } from '../src/config.js';
import { UserFacingError } from '../src/rag/errors.js';

let config: Config | undefined;
try {
  config = loadConfig();
  const { scope, names } = await registerCommands(config.discord);
  const where =
    scope === 'guild'
      ? `in guild ${config.discord.guildId} (available now)`
      : 'globally (Discord may take up to an hour to show them; set DISCORD_GUILD_ID for instant registration while testing)';
  console.log(`Registered ${names.length} commands ${where}: ${names.map((n) => `/${n}`).join(', ')}`);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  const line = error instanceof UserFacingError ? message : `Could not register the commands: ${message}`;
  console.error(redactor(config?.discord.token)(line));
  process.exit(1);
}
