/**
 * `/scope set|show|clear`: an admin maps a channel, or a category (every channel in it), to corpus subfolders. In a
 * scoped channel every answer, citation, summary, listing and autocomplete choice comes from those folders only.
 */
import {
  ChannelType,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { refusedToNonAdmin } from '../admin.js';
import type { BotContext, LogFields } from '../context.js';
import { renderLine } from '../render.js';
import { placeOf } from '../scopes.js';

const SCOPABLE = [ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum, ChannelType.GuildCategory] as const;

export const data = new SlashCommandBuilder()
  .setName('scope')
  .setDescription('Which corpus folders a channel or category answers from (server managers only).')
  .addSubcommand((c) =>
    c
      .setName('set')
      .setDescription('Answer only from these corpus folders in a channel or category')
      .addStringOption((o) => o.setName('folders').setDescription('Corpus subfolders, comma-separated: africa, europe/2024').setRequired(true).setMaxLength(500))
      .addChannelOption((o) => o.setName('channel').setDescription('A channel or category (default: this channel)').addChannelTypes(...SCOPABLE)),
  )
  .addSubcommand((c) =>
    c
      .setName('show')
      .setDescription('What a channel answers from')
      .addChannelOption((o) => o.setName('channel').setDescription('A channel or category (default: this channel)').addChannelTypes(...SCOPABLE)),
  )
  .addSubcommand((c) =>
    c
      .setName('clear')
      .setDescription('Let a channel or category answer from the whole corpus again')
      .addChannelOption((o) => o.setName('channel').setDescription('A channel or category (default: this channel)').addChannelTypes(...SCOPABLE)),
  )
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setContexts(InteractionContextType.Guild);

/** A folder as written in the corpus: names separated by "/", none of them "." or "..". */
const FOLDER = /^(?!.*(?:^|\/)\.{1,2}(?:\/|$))[^\\/\p{Cc}]+(?:\/[^\\/\p{Cc}]+)*$/u;

/** The folders as typed, trimmed, without surrounding slashes; null when one of them is no folder name. */
export function parseFolders(typed: string): string[] | null {
  const folders = [...new Set(typed.split(',').map((f) => f.trim().replace(/^\/+|\/+$/g, '')).filter(Boolean))];
  return folders.length && folders.every((f) => FOLDER.test(f)) ? folders : null;
}

/** The channel or category the command is about, as a mention and an id; a thread stands for its parent channel. */
function target(interaction: ChatInputCommandInteraction): { id: string; kind: 'channel' | 'category'; shown: string } {
  const picked = interaction.options.getChannel('channel');
  if (picked) {
    const category = picked.type === ChannelType.GuildCategory;
    return { id: picked.id, kind: category ? 'category' : 'channel', shown: category ? `the category ${picked.name ?? picked.id}` : `<#${picked.id}>` };
  }
  const id = placeOf(interaction.channel, interaction.channelId).channelId ?? interaction.channelId;
  return { id, kind: 'channel', shown: `<#${id}>` };
}

const list = (folders: readonly string[]) => folders.map((f) => `\`${f}\``).join(', ');

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<LogFields> {
  if (await refusedToNonAdmin(interaction, ctx, 'change or see channel scopes')) return { outcome: 'refused' };
  const sub = interaction.options.getSubcommand();
  const where = target(interaction);
  const reply = (line: string) => interaction.reply({ ...renderLine(line), flags: MessageFlags.Ephemeral });
  if (sub === 'set') {
    const folders = parseFolders(interaction.options.getString('folders', true));
    if (!folders) {
      await reply('Give corpus subfolders separated by commas, such as `africa, europe/2024` (no `..`, no backslashes).');
      return { outcome: 'refused' };
    }
    await ctx.scopes.set(where.id, { kind: where.kind, folders, setBy: interaction.user.id, time: new Date().toISOString() });
    const documents = (await ctx.engine.sources({ scope: folders })).length;
    const empty = documents ? '' : ' No indexed document is in them yet: `/add folder:` puts articles there.';
    await reply(`${where.shown} now answers only from ${list(folders)} (${documents} document${documents === 1 ? '' : 's'}).${empty}`);
    return { sub, target: where.id, folders };
  }
  if (sub === 'clear') {
    const cleared = await ctx.scopes.clear(where.id);
    await reply(cleared ? `${where.shown} answers from the whole corpus again.` : `${where.shown} had no scope of its own.`);
    return { sub, target: where.id, cleared };
  }
  const own = ctx.scopes.entry(where.id);
  const effective = where.kind === 'channel' && !interaction.options.getChannel('channel') ? ctx.scopes.scopeOf(placeOf(interaction.channel, interaction.channelId)) : own?.folders;
  const line = own
    ? `${where.shown} answers only from ${list(own.folders)} (set by <@${own.setBy}> on ${own.time.slice(0, 10)}).`
    : effective
      ? `${where.shown} has no scope of its own; its category limits it to ${list(effective)}.`
      : `${where.shown} answers from the whole corpus.`;
  await reply(line);
  return { sub, target: where.id };
}
