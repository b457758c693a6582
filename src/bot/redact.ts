/** Keeps the bot token out of logs and messages. */

/** Replaces the secret and each of its dot-separated parts (discord.js debug output shows the first two) by ***. */
export function redactor(secret: string | undefined): (text: string) => string {
  const parts = secret ? [secret, ...secret.split('.').filter((p) => p.length >= 6)] : [];
  return (text) => parts.reduce((t, part) => t.split(part).join('***'), text);
}
