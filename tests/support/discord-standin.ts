/**
 * A Discord that lives on 127.0.0.1, for running the real discord.js Client in tests.
 *
 * It speaks REST v10 over HTTP (gateway discovery, command registration, interaction callbacks, webhook edits and
 * follow-ups, channel messages, threads started from a message) and the gateway over WebSocket (HELLO, heartbeat ACKs, IDENTIFY → READY →
 * GUILD_CREATE, RESUME → replay → RESUMED, dispatches, threads opened and archived). Every REST request is recorded so tests assert on what
 * Discord would have received. Tests can also make trouble: close the socket, withhold heartbeat ACKs, and answer a
 * route with 429 or 500.
 *
 * Users can do what they do in Discord's client: run slash commands (with subcommands, channel options and attached
 * files), run a message context-menu command on a message, click buttons (on public and ephemeral messages), fill
 * in and send a form (modal), post messages, open and archive threads, in the guild's several channels (one inside
 * a category). Attached files are served, as Discord's CDN serves them, from `/attachments/<channel>/<id>/<name>`
 * on the same loopback address (`cdnHost`). Payload shapes follow discord-api-types v10.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';

export interface RecordedRequest {
  method: string;
  /** Path below `/api/v10`, e.g. `/interactions/1/abc/callback`. */
  path: string;
  query: URLSearchParams;
  // Bodies are whatever JSON discord.js sent; tests read the fields they assert on.
  body: any;
  /** The status the stand-in answered with. */
  status: number;
}

/** A file a user attaches to a slash command. `size` may claim other than the bytes (a lying client). */
export interface StandInFile {
  filename: string;
  bytes: Buffer;
  size?: number;
  contentType?: string;
}

export interface StandInUser {
  id: string;
  username: string;
  /** Permission bit set as Discord sends it in `member.permissions`. */
  permissions: bigint;
  roles: string[];
}

interface RouteFailure {
  method: string;
  path: RegExp;
  status: 429 | 500;
  retryAfterSeconds: number;
  remaining: number;
}

interface Session {
  id: string;
  /** Every dispatch sent in this session, so a RESUME can replay what the client missed. */
  sent: { s: number; t: string; d: unknown }[];
  socket: WebSocket | null;
}

// Discord permission bits used by the fixtures (see discord-api-types PermissionFlagsBits).
const VIEW_CHANNEL = 1n << 10n;
const SEND_MESSAGES = 1n << 11n;
export const MANAGE_GUILD = 1n << 5n;

const OPCODE = { dispatch: 0, heartbeat: 1, identify: 2, resume: 6, reconnect: 7, invalidSession: 9, hello: 10, heartbeatAck: 11 };

let lastSnowflake = 1_300_000_000_000_000_000n;
export function snowflake(): string {
  lastSnowflake += 1n;
  return lastSnowflake.toString();
}

function randomToken(): string {
  return `tok_${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
}

export class DiscordStandIn {
  readonly applicationId = snowflake();
  readonly guildId = snowflake();
  readonly channelId = snowflake();
  readonly threadId = snowflake();
  /** A second text channel, in no category. */
  readonly secondChannelId = snowflake();
  /** A category, and a text channel inside it. */
  readonly categoryId = snowflake();
  readonly categorizedChannelId = snowflake();
  readonly adminRoleId = snowflake();
  readonly bot = { id: this.applicationId, username: 'CorpusBot', discriminator: '0', global_name: null, avatar: null, bot: true };
  readonly member: StandInUser = { id: snowflake(), username: 'member', permissions: VIEW_CHANNEL | SEND_MESSAGES, roles: [] };
  readonly admin: StandInUser = {
    id: snowflake(),
    username: 'admin',
    permissions: VIEW_CHANNEL | SEND_MESSAGES | MANAGE_GUILD,
    roles: [],
  };

  readonly requests: RecordedRequest[] = [];
  /** IDENTIFY and RESUME payloads in arrival order: tests check intents and reconnection with them. */
  readonly handshakes: { op: 'identify' | 'resume'; d: Record<string, unknown> }[] = [];

  private readonly sessions = new Map<string, Session>();
  private current: Session | null = null;
  private seq = 0;
  private acksWithheld = false;
  private failures: RouteFailure[] = [];
  private readonly messages = new Map<string, Record<string, unknown>>();
  /** The channel each interaction was used in, by its token: where its replies and follow-ups appear. */
  private readonly interactionChannels = new Map<string, string>();
  /** Files users attached, by the CDN path they are served at. */
  private readonly files = new Map<string, Buffer>();
  /** Threads opened through REST or by `openThread`, by id. */
  readonly threads = new Map<string, Record<string, unknown>>();
  private readonly waiters = new Set<() => void>();
  private readonly wss: WebSocketServer;
  private readonly heartbeatIntervalMs: number;

  private constructor(
    private readonly server: Server,
    options: { heartbeatIntervalMs: number },
  ) {
    this.heartbeatIntervalMs = options.heartbeatIntervalMs;
    this.wss = new WebSocketServer({ noServer: true });
    server.on('request', (req, res) => void this.onRequest(req, res));
    server.on('upgrade', (req, socket, head) => {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
  }

  static async start(options: { heartbeatIntervalMs?: number } = {}): Promise<DiscordStandIn> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new DiscordStandIn(server, { heartbeatIntervalMs: options.heartbeatIntervalMs ?? 45_000 });
  }

  private get origin(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The REST base to give discord.js as `rest.api` (it appends `/v10`). */
  get apiUrl(): string {
    return `http://${this.origin}/api`;
  }

  get gatewayUrl(): string {
    return `ws://${this.origin}/gateway`;
  }

  /** The host attachments are served from, as ATTACHMENT_HOSTS names it. */
  get cdnHost(): string {
    return this.origin;
  }

  /** Text channels and the category, as GUILD_CREATE lists them. */
  private channelPayloads(): Record<string, unknown>[] {
    const text = (id: string, name: string, parentId: string | null, position: number) => ({
      id,
      type: 0,
      name,
      position,
      parent_id: parentId,
      permission_overwrites: [],
      guild_id: this.guildId,
    });
    return [
      text(this.channelId, 'general', null, 0),
      text(this.secondChannelId, 'africa-desk', null, 1),
      { id: this.categoryId, type: 4, name: 'Europe', position: 2, permission_overwrites: [], guild_id: this.guildId },
      text(this.categorizedChannelId, 'europe-desk', this.categoryId, 3),
    ];
  }

  /** The channel object an interaction carries (a text channel or a thread). */
  private interactionChannel(channelId: string): Record<string, unknown> {
    const thread = this.threads.get(channelId) ?? (channelId === this.threadId ? this.threadPayload(this.threadId, 'questions', this.member.id) : undefined);
    if (thread) return thread;
    const channel = this.channelPayloads().find((c) => c.id === channelId);
    if (!channel) throw new Error(`Discord stand-in: no channel ${channelId}`);
    return channel;
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- Waiting -------------------------------------------------------------------------------------------------

  private changed(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Resolves with the first request (already received or yet to come) that matches; fails after `timeoutMs`. */
  waitForRequest(match: (r: RecordedRequest) => boolean, timeoutMs = 10_000, what = 'a matching request'): Promise<RecordedRequest> {
    return this.waitFor(() => this.requests.find(match), timeoutMs, what);
  }

  /** Resolves once a gateway session is live (READY or RESUMED sent) and `count` handshakes have happened. */
  async waitForSession(count = 1, timeoutMs = 10_000): Promise<void> {
    await this.waitFor(
      () => (this.handshakes.length >= count && this.current?.socket?.readyState === WebSocket.OPEN ? true : undefined),
      timeoutMs,
      `gateway handshake #${count}`,
    );
  }

  private waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = probe();
        if (found === undefined) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Discord stand-in: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      const wake = (): void => void check();
      if (!check()) this.waiters.add(wake);
    });
  }

  /** Requests sent on behalf of one interaction (its callback, and webhook calls with its token). */
  requestsFor(interaction: { id: string; token: string }): RecordedRequest[] {
    return this.requests.filter((r) => r.path.includes(`/${interaction.token}`) || r.path.includes(`/interactions/${interaction.id}/`));
  }

  // ---- Trouble -------------------------------------------------------------------------------------------------

  /** Closes the live gateway socket the way Discord does when it drops a connection (4000: unknown error, resumable). */
  closeSocket(code = 4000): void {
    const socket = this.current?.socket;
    if (!socket) throw new Error('Discord stand-in: no live gateway socket to close');
    socket.close(code, 'closed by the test');
  }

  /** While withheld, heartbeats get no ACK, so the client should see a zombie connection and reconnect. */
  withholdHeartbeatAcks(withheld: boolean): void {
    this.acksWithheld = withheld;
  }

  /** The next `times` requests to a route get `status` (429 carries `retry-after`). */
  failRoute(method: string, path: RegExp, status: 429 | 500, options: { times?: number; retryAfterSeconds?: number } = {}): void {
    this.failures.push({ method, path, status, remaining: options.times ?? 1, retryAfterSeconds: options.retryAfterSeconds ?? 1 });
  }

  // ---- Gateway -------------------------------------------------------------------------------------------------

  private onSocket(ws: WebSocket): void {
    this.send(ws, { op: OPCODE.hello, d: { heartbeat_interval: this.heartbeatIntervalMs }, s: null, t: null });
    ws.on('message', (raw) => {
      const payload = JSON.parse(String(raw)) as { op: number; d: Record<string, unknown> };
      if (payload.op === OPCODE.heartbeat) {
        if (!this.acksWithheld) this.send(ws, { op: OPCODE.heartbeatAck, d: null, s: null, t: null });
      } else if (payload.op === OPCODE.identify) {
        this.handshakes.push({ op: 'identify', d: payload.d });
        this.identify(ws);
      } else if (payload.op === OPCODE.resume) {
        this.handshakes.push({ op: 'resume', d: payload.d });
        this.resume(ws, payload.d as { session_id: string; seq: number });
      }
    });
    ws.on('close', () => {
      for (const session of this.sessions.values()) if (session.socket === ws) session.socket = null;
      this.changed();
    });
  }

  private send(ws: WebSocket, payload: unknown): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(payload));
  }

  private identify(ws: WebSocket): void {
    const session: Session = { id: randomToken(), sent: [], socket: ws };
    if (this.current?.socket) this.current.socket = null;
    this.sessions.set(session.id, session);
    this.current = session;
    this.emit(session, 'READY', {
      v: 10,
      user: { ...this.bot, verified: true, flags: 0, mfa_enabled: false },
      guilds: [{ id: this.guildId, unavailable: true }],
      session_id: session.id,
      resume_gateway_url: this.gatewayUrl,
      application: { id: this.applicationId, flags: 0 },
      shard: [0, 1],
    });
    this.emit(session, 'GUILD_CREATE', this.guildPayload());
    this.changed();
  }

  private resume(ws: WebSocket, d: { session_id: string; seq: number }): void {
    const session = this.sessions.get(d.session_id);
    if (!session) {
      this.send(ws, { op: OPCODE.invalidSession, d: false, s: null, t: null });
      return;
    }
    session.socket = ws;
    this.current = session;
    for (const missed of session.sent.filter((e) => e.s > d.seq)) this.send(ws, { op: OPCODE.dispatch, ...missed });
    this.emit(session, 'RESUMED', {});
    this.changed();
  }

  private emit(session: Session, t: string, d: unknown): void {
    const event = { s: ++this.seq, t, d };
    session.sent.push(event);
    if (session.socket) this.send(session.socket, { op: OPCODE.dispatch, ...event });
  }

  /** Sends a dispatch to the current session; if its socket is down, the event waits for a RESUME, as on Discord. */
  dispatch(t: string, d: unknown): void {
    if (!this.current) throw new Error('Discord stand-in: no gateway session yet');
    this.emit(this.current, t, d);
  }

  private guildPayload(): Record<string, unknown> {
    const everyone = this.guildId;
    const role = (id: string, name: string, permissions: bigint, position: number) => ({
      id,
      name,
      permissions: permissions.toString(),
      position,
      color: 0,
      hoist: false,
      managed: false,
      mentionable: false,
      flags: 0,
    });
    return {
      id: this.guildId,
      name: 'Stand-in Guild',
      unavailable: false,
      owner_id: this.admin.id,
      joined_at: new Date().toISOString(),
      large: false,
      member_count: 3,
      features: [],
      roles: [role(everyone, '@everyone', VIEW_CHANNEL | SEND_MESSAGES, 0), role(this.adminRoleId, 'Librarians', 0n, 1)],
      channels: this.channelPayloads(),
      // Discord lists the active threads the bot can see: the fixture's, and any opened since (a restarted bot sees them).
      threads: [
        this.threadPayload(this.threadId, 'questions', this.member.id),
        ...[...this.threads.values()].filter((t) => !(t.thread_metadata as { archived: boolean }).archived),
      ],
      members: [{ user: this.bot, roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 }],
      emojis: [],
      stickers: [],
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
    };
  }

  // ---- Events a user causes ------------------------------------------------------------------------------------

  private memberPayload(user: StandInUser): Record<string, unknown> {
    return {
      user: { id: user.id, username: user.username, discriminator: '0', global_name: user.username, avatar: null },
      roles: user.roles,
      permissions: user.permissions.toString(),
      joined_at: new Date().toISOString(),
      deaf: false,
      mute: false,
      flags: 0,
    };
  }

  private interaction(type: number, data: Record<string, unknown>, user: StandInUser, extra: Record<string, unknown> = {}, channelId = this.channelId) {
    const interaction = { id: snowflake(), token: randomToken() };
    this.interactionChannels.set(interaction.token, channelId);
    this.dispatch('INTERACTION_CREATE', {
      ...interaction,
      type,
      data,
      application_id: this.applicationId,
      guild_id: this.guildId,
      channel_id: channelId,
      channel: this.interactionChannel(channelId),
      member: this.memberPayload(user),
      version: 1,
      app_permissions: (VIEW_CHANNEL | SEND_MESSAGES).toString(),
      locale: 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': this.guildId },
      context: 0,
      ...extra,
    });
    return interaction;
  }

  /**
   * A user runs a slash command; options are name → value (strings, numbers or booleans). `where.channelId` is the
   * channel (or thread) it is used in; `files` attaches files to attachment options (uploaded to the CDN as Discord's
   * client does before it sends the command); `channels` fills channel options; `subcommand` wraps the options in it.
   */
  slashCommand(
    name: string,
    options: Record<string, string | number | boolean> = {},
    user: StandInUser = this.member,
    where: { channelId?: string; subcommand?: string; files?: Record<string, StandInFile>; channels?: Record<string, string> } = {},
  ) {
    const typeOf = (v: unknown) => (typeof v === 'boolean' ? 5 : typeof v === 'number' ? 10 : 3);
    const attachments: Record<string, unknown> = {};
    const channels: Record<string, unknown> = {};
    const given = [
      ...Object.entries(options).map(([n, value]) => ({ name: n, type: typeOf(value), value })),
      ...Object.entries(where.files ?? {}).map(([n, file]) => {
        const attachment = this.upload(file, where.channelId ?? this.channelId);
        attachments[attachment.id] = attachment;
        return { name: n, type: 11, value: attachment.id };
      }),
      ...Object.entries(where.channels ?? {}).map(([n, id]) => {
        const { permission_overwrites: _, position: __, guild_id: ___, ...channel } = this.interactionChannel(id);
        channels[id] = { ...channel, permissions: (VIEW_CHANNEL | SEND_MESSAGES).toString() };
        return { name: n, type: 7, value: id };
      }),
    ];
    const resolved = { ...(Object.keys(attachments).length ? { attachments } : {}), ...(Object.keys(channels).length ? { channels } : {}) };
    return this.interaction(
      2,
      {
        id: snowflake(),
        name,
        type: 1,
        options: where.subcommand ? [{ name: where.subcommand, type: 1, options: given }] : given,
        ...(Object.keys(resolved).length ? { resolved } : {}),
      },
      user,
      {},
      where.channelId,
    );
  }

  /** Puts a file on the CDN as Discord's client uploads an attachment, and returns the attachment object. */
  private upload(file: StandInFile, channelId: string): Record<string, unknown> & { id: string } {
    const id = snowflake();
    const path = `/attachments/${channelId}/${id}/${encodeURIComponent(file.filename)}`;
    this.files.set(path, file.bytes);
    const url = `http://${this.origin}${path}?ex=${Math.floor(Date.now() / 1000 + 86_400).toString(16)}`;
    return { id, filename: file.filename, size: file.size ?? file.bytes.length, url, proxy_url: url, ...(file.contentType ? { content_type: file.contentType } : {}), ephemeral: true };
  }

  /** A user types into an autocomplete option; `focused` is the option being typed, with its partial value. */
  autocomplete(name: string, focused: { name: string; value: string }, user: StandInUser = this.member, where: { channelId?: string } = {}) {
    return this.interaction(
      4,
      { id: snowflake(), name, type: 1, options: [{ name: focused.name, type: 3, value: focused.value, focused: true }] },
      user,
      {},
      where.channelId,
    );
  }

  /** A user clicks a button under a message the bot sent (ephemeral messages carry flags 64, as Discord sends them). */
  clickButton(message: Record<string, unknown>, customId: string, user: StandInUser = this.member, where: { channelId?: string } = {}) {
    return this.interaction(3, { custom_id: customId, component_type: 2 }, user, { message }, where.channelId);
  }

  /** A user fills in the form (modal) the bot opened and sends it: `fields` is text input custom id → value. */
  submitModal(customId: string, fields: Record<string, string>, user: StandInUser = this.member, where: { channelId?: string } = {}) {
    const components = Object.entries(fields).map(([id, value]) => ({ type: 1, components: [{ type: 4, custom_id: id, value }] }));
    return this.interaction(5, { custom_id: customId, components }, user, {}, where.channelId);
  }

  /** A user picks a message command (Apps → `name`) on `message`, which Discord resolves into the interaction. */
  messageCommand(name: string, message: Record<string, unknown>, user: StandInUser = this.member) {
    const channelId = String(message.channel_id ?? this.channelId);
    return this.interaction(
      2,
      { id: snowflake(), name, type: 3, target_id: message.id, resolved: { messages: { [String(message.id)]: message } } },
      user,
      {},
      channelId,
    );
  }

  /** The body of the form the bot opened in answer to an interaction (callback type 9), once it has. */
  async modalFor(interaction: { id: string; token: string }, timeoutMs = 10_000): Promise<Record<string, any>> {
    const callback = await this.waitForRequest((r) => r.path === `/interactions/${interaction.id}/${interaction.token}/callback` && r.body?.type === 9, timeoutMs, 'a form (modal)');
    return callback.body.data;
  }

  private threadPayload(id: string, name: string, ownerId: string, archived = false, parentId = this.channelId): Record<string, unknown> {
    return {
      id,
      type: 11,
      name,
      parent_id: parentId,
      guild_id: this.guildId,
      owner_id: ownerId,
      message_count: 0,
      member_count: 1,
      rate_limit_per_user: 0,
      flags: 0,
      thread_metadata: { archived, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false },
    };
  }

  /** A user opens a thread of their own in the channel (one the bot has no part in). */
  openThread(name: string, user: StandInUser = this.member): string {
    const thread = this.threadPayload(snowflake(), name, user.id);
    this.threads.set(thread.id as string, thread);
    this.dispatch('THREAD_CREATE', { ...thread, newly_created: true });
    return thread.id as string;
  }

  /** A thread is archived (by a moderator, or after its inactivity period). */
  archiveThread(id: string): void {
    const thread = this.threads.get(id);
    if (!thread) throw new Error(`Discord stand-in: no thread ${id}`);
    const archived = this.threadPayload(id, thread.name as string, thread.owner_id as string, true, thread.parent_id as string);
    this.threads.set(id, archived);
    this.dispatch('THREAD_UPDATE', archived);
  }

  /** A user posts a message; `mentionBot` puts the bot in `mentions` as Discord does for "<@bot> …". */
  postMessage(content: string, options: { mentionBot?: boolean; channelId?: string; user?: StandInUser; mentionEveryone?: boolean; dispatch?: boolean } = {}) {
    const user = options.user ?? this.member;
    const message = {
      id: snowflake(),
      channel_id: options.channelId ?? this.channelId,
      guild_id: this.guildId,
      author: { id: user.id, username: user.username, discriminator: '0', global_name: user.username, avatar: null },
      member: { roles: user.roles, joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 },
      content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: options.mentionEveryone ?? false,
      mentions: options.mentionBot ? [this.bot] : [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      type: 0,
      flags: 0,
    };
    // A message posted before the bot was around (or in a channel it does not read) is not dispatched.
    if (options.dispatch !== false) this.dispatch('MESSAGE_CREATE', message);
    return message;
  }

  // ---- REST ----------------------------------------------------------------------------------------------------

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${this.origin}`);
    if (req.method === 'GET' && url.pathname.startsWith('/attachments/')) {
      this.serveFile(url.pathname, res);
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body: unknown = text && req.headers['content-type']?.includes('application/json') ? JSON.parse(text) : text || null;
    const path = decodeURIComponent(url.pathname.replace(/^\/api\/v10/, ''));
    const method = req.method ?? 'GET';

    const failure = this.failures.find((f) => f.remaining > 0 && f.method === method && f.path.test(path));
    if (failure) {
      failure.remaining -= 1;
      this.record({ method, path, query: url.searchParams, body, status: failure.status });
      if (failure.status === 429) {
        const retryAfter = failure.retryAfterSeconds;
        this.json(res, 429, { message: 'You are being rate limited.', retry_after: retryAfter, global: false }, { 'retry-after': String(retryAfter), 'x-ratelimit-scope': 'user' });
      } else {
        this.json(res, 500, { message: '500: Internal Server Error', code: 0 });
      }
      return;
    }

    const [status, reply] = this.route(method, path, url.searchParams, body);
    this.record({ method, path, query: url.searchParams, body, status });
    if (status === 204) {
      // No content-type on a 204: discord.js would otherwise try to parse the empty body as JSON.
      res.writeHead(204).end();
    } else {
      this.json(res, status, reply);
    }
  }

  /** The CDN: a file users attached, as Discord serves it (no redirects, a content length). */
  private serveFile(path: string, res: ServerResponse): void {
    const bytes = this.files.get(path);
    this.record({ method: 'GET', path, query: new URLSearchParams(), body: null, status: bytes ? 200 : 404 });
    if (!bytes) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) }).end(bytes);
  }

  private record(request: RecordedRequest): void {
    this.requests.push(request);
    this.changed();
  }

  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  }

  private route(method: string, path: string, query: URLSearchParams, body: any): [number, unknown] {
    let m: RegExpMatchArray | null;
    if (method === 'GET' && path === '/gateway/bot') {
      return [200, { url: this.gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } }];
    }
    if (method === 'PUT' && (m = path.match(/^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/))) {
      const commands = (body as Record<string, unknown>[]).map((c) => ({ id: snowflake(), application_id: m![1], guild_id: m![2], version: snowflake(), ...c }));
      return [200, commands];
    }
    if (method === 'POST' && (m = path.match(/^\/interactions\/(\d+)\/([^/]+)\/callback$/))) {
      const token = m[2]!;
      const channel = { channel_id: this.interactionChannels.get(token) ?? this.channelId };
      // 4: a reply; 7: the clicked message updated (kept under its own key by the tests that need it); 9: a form.
      // 5: deferred; the reply that edits it keeps its flags (64: only the user sees it), as on Discord.
      if (body?.type === 5) this.storeMessage(`${token}/@original`, { flags: body.data?.flags ?? 0 }, channel);
      if (body?.type === 4) this.storeMessage(`${token}/@original`, body.data ?? {}, channel);
      if (body?.type === 7) this.storeMessage(`${token}/@updated`, body.data ?? {}, channel);
      if (query.get('with_response') === 'true') {
        return [200, { interaction: { id: m[1], type: 2 }, resource: { type: body?.type, message: this.messages.get(`${token}/@original`) } }];
      }
      return [204, null];
    }
    if ((m = path.match(/^\/webhooks\/(\d+)\/([^/]+)\/messages\/(@original|\d+)$/))) {
      const key = `${m[2]}/${m[3]}`;
      const channel = { channel_id: this.interactionChannels.get(m[2]!) ?? this.channelId };
      if (method === 'PATCH') return [200, this.storeMessage(key, body, this.messages.get(key) ?? channel)];
      if (method === 'GET') return this.messages.has(key) ? [200, this.messages.get(key)] : [404, { message: 'Unknown Message', code: 10008 }];
      if (method === 'DELETE') return [204, null];
    }
    if (method === 'POST' && (m = path.match(/^\/webhooks\/(\d+)\/([^/]+)$/))) {
      // A follow-up appears in the channel the interaction was used in; without the ephemeral flag, for everyone.
      const id = snowflake();
      return [200, this.storeMessage(`${m[2]}/${id}`, body, { id, channel_id: this.interactionChannels.get(m[2]!) ?? this.channelId })];
    }
    if (method === 'POST' && (m = path.match(/^\/channels\/(\d+)\/messages\/(\d+)\/threads$/))) {
      // Threads start from messages in a text channel only (a thread cannot hold a thread).
      if (!this.channelPayloads().some((c) => c.id === m![1] && c.type === 0)) return [400, { message: 'Cannot execute action on this channel type', code: 50024 }];
      const thread = this.threadPayload(snowflake(), String(body?.name ?? ''), this.bot.id, false, m[1]);
      this.threads.set(thread.id as string, thread);
      return [201, thread];
    }
    if (method === 'POST' && (m = path.match(/^\/channels\/(\d+)\/messages$/))) {
      return [200, this.storeMessage(`channel/${snowflake()}`, body, { channel_id: m[1] })];
    }
    if (method === 'POST' && path.match(/^\/channels\/(\d+)\/typing$/)) return [204, null];
    return [404, { message: `Discord stand-in has no route for ${method} ${path}`, code: 0 }];
  }

  /** The message a deferred or direct reply to an interaction became, as a button click would carry it. */
  originalMessage(interaction: { token: string }): Record<string, unknown> | undefined {
    return this.messages.get(`${interaction.token}/@original`);
  }

  private storeMessage(key: string, body: Record<string, unknown>, previous: Record<string, unknown> = {}): Record<string, unknown> {
    const message = {
      id: snowflake(),
      channel_id: this.channelId,
      type: 0,
      content: '',
      embeds: [],
      components: [],
      attachments: [],
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      flags: 0,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      ...previous,
      ...body,
      author: this.bot,
      application_id: this.applicationId,
    };
    delete (message as Record<string, unknown>).allowed_mentions;
    this.messages.set(key, message);
    return message;
  }
}
