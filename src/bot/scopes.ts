/**
 * Channel scopes: an admin maps a channel, or a category (every channel in it), to corpus subfolders, and questions
 * asked there draw only on those documents. The map is kept in `DATA_DIR/scopes.json`, replaced atomically.
 *
 * A place's scope is its channel's own, else its category's; a thread has its parent channel's. A place with neither
 * is unscoped and sees the whole corpus.
 */
import { join } from 'node:path';
import { ChannelType, type Channel } from 'discord.js';
import * as z from 'zod';
import type { Scope } from '../rag/types.js';
import { StateFile } from './state-file.js';

const entry = z.object({
  kind: z.enum(['channel', 'category']),
  folders: z.array(z.string()).min(1),
  /** Who set it and when: an admin reading the file can tell where a scope came from. */
  setBy: z.string(),
  time: z.string(),
});
const stored = z.object({ version: z.literal(1), places: z.record(z.string(), entry) });
type Stored = z.infer<typeof stored>;
export type ScopeEntry = z.infer<typeof entry>;

/** The place a channel's scope is looked up by: the channel itself (a thread's parent) and its category. */
export interface Place {
  channelId: string | null;
  categoryId: string | null;
}

/** Where an interaction or a message stands, as the scope map sees it. */
export function placeOf(channel: Channel | null | undefined, channelId: string | null): Place {
  if (!channel || channel.isDMBased()) return { channelId, categoryId: null };
  if (channel.isThread()) {
    const parent = channel.parent;
    return { channelId: channel.parentId, categoryId: parent?.parentId ?? null };
  }
  return { channelId: channel.id, categoryId: channel.type === ChannelType.GuildCategory ? null : channel.parentId };
}

export class ChannelScopes {
  private constructor(
    private readonly file: StateFile<Stored>,
    private readonly places: Record<string, ScopeEntry>,
  ) {}

  static async open(dataDir: string): Promise<ChannelScopes> {
    const file = new StateFile<Stored>(join(dataDir, 'scopes.json'));
    const raw = await file.read();
    const parsed = stored.safeParse(raw);
    // A scope map that cannot be read must not silently open every document to every channel.
    if (raw !== null && !parsed.success) throw new Error(`${file.path} is not a scope map; fix or remove it, then start again`);
    return new ChannelScopes(file, parsed.success ? parsed.data.places : {});
  }

  /** The folders a place may draw on, or undefined for the whole corpus. */
  scopeOf(place: Place): Scope | undefined {
    const own = place.channelId ? this.places[place.channelId] : undefined;
    const category = place.categoryId ? this.places[place.categoryId] : undefined;
    return (own ?? category)?.folders;
  }

  /** The entry set on one channel or category itself. */
  entry(id: string): ScopeEntry | undefined {
    return this.places[id];
  }

  async set(id: string, value: ScopeEntry): Promise<void> {
    this.places[id] = value;
    await this.save();
  }

  /** True when there was a scope to clear. */
  async clear(id: string): Promise<boolean> {
    if (!(id in this.places)) return false;
    delete this.places[id];
    await this.save();
    return true;
  }

  private save(): Promise<void> {
    return this.file.write({ version: 1, places: this.places });
  }
}
