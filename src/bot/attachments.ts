/**
 * Fetching a file someone attached in Discord, and nothing else: only from the configured attachment hosts
 * (Discord's CDN), over https (plain http only from a loopback host, which is a local stand-in), no redirects, at
 * most `maxBytes` read whatever the server claims, within `timeoutMs`.
 */
export interface FetchLimits {
  hosts: string[];
  maxBytes: number;
  timeoutMs: number;
}

export type Fetched = { ok: true; bytes: Buffer } | { ok: false; reason: string };

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Why `url` may not be fetched, or null when it may. */
export function refusedUrl(url: string, hosts: string[]): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'the attachment has no valid address';
  }
  if (!hosts.includes(parsed.host.toLowerCase())) return `the attachment is not on Discord's attachment servers (${parsed.host})`;
  if (parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname))) return null;
  return `the attachment address is not https (${parsed.protocol})`;
}

const megabytes = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

export async function fetchAttachment(url: string, limits: FetchLimits): Promise<Fetched> {
  const refused = refusedUrl(url, limits.hosts);
  if (refused) return { ok: false, reason: refused };
  const tooLarge = { ok: false as const, reason: `too large (more than ${megabytes(limits.maxBytes)}; the limit is ${megabytes(limits.maxBytes)})` };
  const signal = AbortSignal.timeout(limits.timeoutMs);
  try {
    const response = await fetch(url, { redirect: 'error', signal });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      return { ok: false, reason: `Discord's attachment server answered ${response.status}` };
    }
    const declared = Number(response.headers.get('content-length'));
    if (declared > limits.maxBytes) {
      await response.body.cancel();
      return tooLarge;
    }
    // Counted as it arrives: a server that sends more than it declared is cut off at the cap.
    const parts: Uint8Array[] = [];
    let received = 0;
    for await (const part of response.body) {
      received += part.byteLength;
      if (received > limits.maxBytes) return tooLarge;
      parts.push(part);
    }
    return { ok: true, bytes: Buffer.concat(parts) };
  } catch (e) {
    if (signal.aborted) return { ok: false, reason: `the download took longer than ${Math.round(limits.timeoutMs / 1000)} s` };
    return { ok: false, reason: `the download failed (${e instanceof Error ? e.message : String(e)})` };
  }
}
