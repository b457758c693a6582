/** Who may run the admin commands (/reindex, /gaps). */
import { PermissionFlagsBits, type ChatInputCommandInteraction } from 'discord.js';

/**
 * Discord hides the command from members without Manage Server, but server admins can override that per channel or
 * role, so the bot checks again: Manage Server, or one of the roles in ADMIN_ROLE_IDS.
 */
export function isAdmin(interaction: ChatInputCommandInteraction, adminRoleIds: string[]): boolean {
  if (interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) return true;
  const member = interaction.member;
  if (!member) return false;
  const roles = Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
  return roles.some((role) => adminRoleIds.includes(role));
}
