/**
 * Every interaction: slash and context-menu commands, autocomplete, buttons and modals, each routed to its module.
 * One log line per handled interaction with its latency; a failure becomes a reply with a reference.
 */
import { Events, MessageFlags, type Interaction, type RepliableInteraction } from 'discord.js';
import { messageCommands, slashCommands } from '../commands/index.js';
import { components } from '../components/index.js';
import { defineEvent, type BotContext, type LogFields } from '../context.js';
import { failureLine } from '../failure.js';
import { renderLine } from '../render.js';

const elapsedMs = (since: number) => Math.round(performance.now() - since);
const prefixOf = (customId: string) => customId.split(':')[0]!;

async function tellFailure(interaction: RepliableInteraction, line: string, ctx: BotContext): Promise<void> {
  try {
    if (interaction.deferred || interaction.replied) await interaction.editReply(renderLine(line));
    else await interaction.reply({ ...renderLine(line), flags: MessageFlags.Ephemeral });
  } catch (err) {
    ctx.logger.warn({ err, interaction: interaction.id }, 'could not tell the user about a failure');
  }
}

/** What to run for a repliable interaction, and the name it is logged under. */
function route(interaction: RepliableInteraction, ctx: BotContext): { command: string; run: () => Promise<LogFields | void> } | null {
  if (interaction.isChatInputCommand()) {
    const handler = slashCommands.get(interaction.commandName);
    return {
      command: `/${interaction.commandName}`,
      run: () => {
        if (!handler) throw new Error(`unknown command ${interaction.commandName}: run npm run deploy-commands`);
        return handler.execute(interaction, ctx);
      },
    };
  }
  if (interaction.isMessageContextMenuCommand()) {
    const handler = messageCommands.get(interaction.commandName);
    return {
      command: `menu ${interaction.commandName}`,
      run: () => {
        if (!handler) throw new Error(`unknown command ${interaction.commandName}: run npm run deploy-commands`);
        return handler.execute(interaction, ctx);
      },
    };
  }
  if (interaction.isButton()) {
    const prefix = prefixOf(interaction.customId);
    const handler = components.get(prefix)?.button ?? slashCommands.get(prefix)?.button;
    return {
      command: `button ${prefix}`,
      run: () => {
        if (!handler) throw new Error(`no handler for button ${interaction.customId}`);
        return handler(interaction, ctx);
      },
    };
  }
  if (interaction.isModalSubmit()) {
    const prefix = prefixOf(interaction.customId);
    const handler = components.get(prefix)?.modal;
    return {
      command: `modal ${prefix}`,
      run: () => {
        if (!handler) throw new Error(`no handler for modal ${interaction.customId}`);
        return handler(interaction, ctx);
      },
    };
  }
  return null;
}

export default defineEvent(Events.InteractionCreate, async (ctx, interaction: Interaction) => {
  const started = performance.now();
  const base = { user: interaction.user.id, guild: interaction.guildId, interaction: interaction.id };
  if (interaction.isAutocomplete()) {
    try {
      await slashCommands.get(interaction.commandName)?.autocomplete?.(interaction, ctx);
    } catch (err) {
      ctx.logger.warn({ ...base, err, command: interaction.commandName }, 'autocomplete failed');
    }
    return;
  }
  if (!interaction.isRepliable()) return;
  const handled = route(interaction, ctx);
  if (!handled) return;
  try {
    const fields = await handled.run();
    ctx.logger.info({ ...base, command: handled.command, ms: elapsedMs(started), outcome: 'ok', ...fields }, 'command handled');
  } catch (error) {
    await tellFailure(interaction, failureLine(error, ctx.logger, { ...base, command: handled.command, ms: elapsedMs(started) }), ctx);
  }
});
