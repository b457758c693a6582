/** Who may run the admin commands (/reindex, /gaps, /add, /scope), and the refusal everyone else gets. */
import { MessageFlags, PermissionFlagsBits, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from './context.js';
import type { GateClaim } from './reindex-gate.js';
import { renderLine } from './render.js';

/**
 * Discord hides the command from members without Manage Server, but server admins can override that per channel or
 * role, so the bot checks again: Manage Server, or one of the roles in ADMIN_ROLE_IDS.
 */
export function isAdmin(interaction: Pick<ChatInputCommandInteraction, 'memberPermissions' | 'member'>, adminRoleIds: string[]): boolean {
  if (interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) return true;
  const member = interaction.member;
  if (!member) return false;
  const roles = Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
  return roles.some((role) => adminRoleIds.includes(role));
}

/**
 * Replies with an ephemeral refusal and returns true when the user is no admin; `what` completes "Only members with
 * Manage Server (or a role listed in ADMIN_ROLE_IDS) can …".
 */
export async function refusedToNonAdmin(interaction: ChatInputCommandInteraction, ctx: BotContext, what: string): Promise<boolean> {
  if (isAdmin(interaction, ctx.config.discord.adminRoleIds)) return false;
  const line = `Only members with Manage Server (or a role listed in ADMIN_ROLE_IDS) can ${what}.`;
  await interaction.reply({ ...renderLine(line), flags: MessageFlags.Ephemeral });
  return true;
}

/**
 * For the commands that ingest (/reindex, /add): refuses a non-admin, or anyone while another ingest runs or
 * during the cooldown, and returns null; otherwise the claimed gate, to release when the ingest ends.
 */
export async function claimIngest(interaction: ChatInputCommandInteraction, ctx: BotContext, what: string): Promise<GateClaim | null> {
  if (await refusedToNonAdmin(interaction, ctx, what)) return null;
  const claim = ctx.reindex.claim();
  if (typeof claim !== 'string') return claim;
  await interaction.reply({ ...renderLine(claim), flags: MessageFlags.Ephemeral });
  return null;
}
