/**
 * The configured chat model, or null when generation is off, through LangChain's `initChatModel`: one call that
 * names the provider and passes its settings on, and imports the provider's package only then (loading one costs
 * about a second that offline answers never need). Retries are off: a failing model server should hand over to the
 * offline answer at once rather than after LangChain's default six attempts.
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Config } from '../../config.js';
import { ConfigError } from '../errors.js';

/** The package `initChatModel` loads for each provider (dependencies of this project). */
const PROVIDER_PACKAGES = { openai: '@langchain/openai', ollama: '@langchain/ollama' } as const;

/**
 * OpenAI-compatible local servers (vLLM, llama.cpp, Ollama's /v1) accept any key, but the client refuses to start
 * without one; config.ts already insists on a real key when no base URL points elsewhere.
 */
const KEY_FOR_KEYLESS_SERVERS = 'unused';

/**
 * Settings of each provider's LangChain class, as `initChatModel` hands them to its constructor. `maxTokens` caps the
 * reply (OpenAI's `max_tokens`, Ollama's `num_predict`): a model that rambles is cut off by the server, not paid for.
 */
function providerSettings(llm: Config['llm'], maxTokens: number): Record<string, unknown> {
  if (llm.provider === 'openai') {
    return {
      apiKey: llm.openaiApiKey ?? KEY_FOR_KEYLESS_SERVERS,
      configuration: llm.openaiBaseUrl ? { baseURL: llm.openaiBaseUrl } : undefined,
      timeout: llm.timeoutMs,
      maxRetries: 0,
      maxTokens,
    };
  }
  return {
    baseUrl: llm.ollamaBaseUrl,
    maxRetries: 0,
    numPredict: maxTokens,
    // ChatOllama does not hand the call's abort signal to its HTTP client, so a server that never answers would
    // hold the request open forever; each request gets its own deadline here.
    fetch: (input: string | URL | Request, init?: RequestInit) => fetch(input, { ...init, signal: withDeadline(init?.signal, llm.timeoutMs) }),
  };
}

/**
 * A signal that aborts with `signal` or after `ms`. Not `AbortSignal.any([signal, AbortSignal.timeout(ms)])`: on
 * Node 20 `any` holds its sources weakly, so a garbage collection during the request can take the timeout signal
 * with it and the deadline never comes (nodejs/node#57736). The timer here holds its controller; unref'd, it does
 * not keep a finished command running until the deadline.
 */
function withDeadline(signal: AbortSignal | null | undefined, ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new DOMException(`no reply within ${ms} ms`, 'TimeoutError')), ms).unref();
  if (signal?.aborted) controller.abort(signal.reason);
  else signal?.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  return controller.signal;
}

export async function createChatModel(llm: Config['llm'], maxTokens: number): Promise<BaseChatModel | null> {
  if (llm.provider === 'none') return null;
  const { initChatModel } = await import('langchain/chat_models/universal');
  try {
    return await initChatModel(llm.model, { modelProvider: llm.provider, ...providerSettings(llm, maxTokens) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw e;
    throw new ConfigError(`LLM_PROVIDER=${llm.provider} needs the package ${PROVIDER_PACKAGES[llm.provider]}; run npm ci`);
  }
}
