/**
 * The configured LangChain chat model, or null when generation is off. Retries are off: a failing model server
 * should hand over to the offline answer at once rather than after LangChain's default six attempts. The provider
 * packages are imported only when configured: loading them costs about a second that offline answers never need.
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Config } from '../config.js';

/**
 * OpenAI-compatible local servers (vLLM, llama.cpp, Ollama's /v1) accept any key, but the client refuses to start
 * without one; config.ts already insists on a real key when no base URL points elsewhere.
 */
const KEY_FOR_KEYLESS_SERVERS = 'unused';

export async function createChatModel(llm: Config['llm']): Promise<BaseChatModel | null> {
  switch (llm.provider) {
    case 'none':
      return null;
    case 'openai': {
      const { ChatOpenAI } = await import('@langchain/openai');
      return new ChatOpenAI({
        model: llm.model,
        apiKey: llm.openaiApiKey ?? KEY_FOR_KEYLESS_SERVERS,
        configuration: llm.openaiBaseUrl ? { baseURL: llm.openaiBaseUrl } : undefined,
        timeout: llm.timeoutMs,
        maxRetries: 0,
      });
    }
    case 'ollama': {
      const { ChatOllama } = await import('@langchain/ollama');
      return new ChatOllama({
        model: llm.model,
        baseUrl: llm.ollamaBaseUrl,
        maxRetries: 0,
        // ChatOllama does not hand the call's abort signal to its HTTP client, so a server that never answers would
        // hold the request open forever; each request gets its own deadline here.
        fetch: (input, init) => {
          const deadline = AbortSignal.timeout(llm.timeoutMs);
          return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline });
        },
      });
    }
  }
}
