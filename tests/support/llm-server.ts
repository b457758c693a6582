/**
 * A loopback stand-in for a model server. It speaks the OpenAI chat-completions wire format (`POST
 * /v1/chat/completions`, as JSON or, with `stream: true`, as server-sent events) and Ollama's `POST /api/chat` (as
 * newline-delimited JSON when streaming, the way ChatOllama always asks, or as one JSON object). Tests pick how it
 * behaves and read back every request body it received.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type LlmBehaviour =
  /** Answer with this assistant text. */
  | { kind: 'reply'; text: string }
  /** Answer 500 with an error body in the provider's format. */
  | { kind: 'error'; status: number; message: string }
  /** Accept the request and never answer (until the server closes). */
  | { kind: 'hang' }
  /** Answer 200 with a body that is not the protocol's JSON. */
  | { kind: 'malformed' }
  /** Answer 200 with a well-formed reply whose assistant text is empty. */
  | { kind: 'empty' };

export interface RecordedRequest {
  path: string;
  authorization?: string;
  body: any;
  /** Set when the client closed the connection while the server was still holding the request (`hang`). */
  abandoned?: boolean;
}

export interface LlmServer {
  /** http://127.0.0.1:PORT — Ollama's base URL. */
  url: string;
  /** http://127.0.0.1:PORT/v1 — an OpenAI-compatible base URL. */
  openaiBaseUrl: string;
  requests: RecordedRequest[];
  behave(behaviour: LlmBehaviour): void;
  close(): Promise<void>;
}

const OPENAI_PATH = '/v1/chat/completions';
const OLLAMA_PATH = '/api/chat';

export async function startLlmServer(initial: LlmBehaviour = { kind: 'reply', text: 'OK.' }): Promise<LlmServer> {
  let behaviour = initial;
  const requests: RecordedRequest[] = [];

  const server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const path = (req.url ?? '').split('?')[0]!;
    if (req.method !== 'POST' || (path !== OPENAI_PATH && path !== OLLAMA_PATH)) {
      send(res, 404, 'application/json', JSON.stringify({ error: `no route ${req.method} ${path}` }));
      return;
    }
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      send(res, 400, 'application/json', JSON.stringify({ error: 'request body is not JSON' }));
      return;
    }
    const recorded: RecordedRequest = { path, authorization: req.headers.authorization, body };
    requests.push(recorded);
    const model = String(body.model ?? 'test-model');
    const stream = body.stream === true;

    switch (behaviour.kind) {
      case 'hang':
        // The socket stays open until the client gives up or the server closes.
        res.on('close', () => {
          if (!res.writableEnded) recorded.abandoned = true;
        });
        return;
      case 'error':
        if (path === OPENAI_PATH) {
          send(res, behaviour.status, 'application/json', JSON.stringify({ error: { message: behaviour.message, type: 'server_error' } }));
        } else {
          send(res, behaviour.status, 'application/json', JSON.stringify({ error: behaviour.message }));
        }
        return;
      case 'malformed':
        send(res, 200, path === OLLAMA_PATH && stream ? 'application/x-ndjson' : 'application/json', '{"choices": [ this is not json');
        return;
      case 'empty':
      case 'reply': {
        const text = behaviour.kind === 'reply' ? behaviour.text : '';
        if (path === OPENAI_PATH) {
          if (stream) openaiEvents(res, model, text);
          else send(res, 200, 'application/json', JSON.stringify(openaiCompletion(model, text)));
        } else if (stream) {
          send(res, 200, 'application/x-ndjson', ollamaChunks(model, text).map((c) => JSON.stringify(c) + '\n').join(''));
        } else {
          send(res, 200, 'application/json', JSON.stringify(ollamaDone(model, text)));
        }
      }
    }
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    openaiBaseUrl: `${url}/v1`,
    requests,
    behave(next) {
      behaviour = next;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const created = () => Math.floor(Date.now() / 1000);

function openaiCompletion(model: string, text: string) {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: created(),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
  };
}

/** The reply as server-sent events, a few words per chunk, ending with a finish chunk and `[DONE]`. */
function openaiEvents(res: ServerResponse, model: string, text: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const chunk = (delta: object, finish: string | null) => ({
    id: 'chatcmpl-test',
    object: 'chat.completion.chunk',
    created: created(),
    model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  });
  const event = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
  event(chunk({ role: 'assistant', content: '' }, null));
  for (const piece of pieces(text)) event(chunk({ content: piece }, null));
  event(chunk({}, 'stop'));
  res.end('data: [DONE]\n\n');
}

function ollamaDone(model: string, text: string) {
  return {
    model,
    created_at: new Date().toISOString(),
    message: { role: 'assistant', content: text },
    done: true,
    done_reason: 'stop',
    prompt_eval_count: 10,
    eval_count: 10,
  };
}

function ollamaChunks(model: string, text: string) {
  const at = new Date().toISOString();
  return [
    ...pieces(text).map((piece) => ({ model, created_at: at, message: { role: 'assistant', content: piece }, done: false })),
    { ...ollamaDone(model, ''), created_at: at },
  ];
}

/** Splits text into small pieces (keeping every character) the way a model emits tokens. */
function pieces(text: string): string[] {
  return text.match(/\S*\s*/g)?.filter(Boolean) ?? [];
}
