/**
 * `client.subscribeOverdueEvents({ after, filter })`: an async iterable of overdue
 * events over graphql-ws that survives disconnects and server restarts. It remembers
 * the cursor of the last event it delivered and resumes after it on every reconnect, so
 * the server's replay fills any gap and no event is delivered twice.
 */
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { HuikuanError, type ErrorReason, type GraphQLErrorEntry } from './errors.js';
import { operationSources, type SubscribeOverdueEventsSubscription, type SubscribeOverdueEventsSubscriptionVariables } from './generated/graphql.js';

export type OverdueEventPayload = SubscribeOverdueEventsSubscription['overdueEvents'];

export interface SubscribeOptions {
  /** Stops the stream; the iterator then ends. */
  signal?: AbortSignal;
  /** First reconnect delay, doubled per failed attempt up to maxRetryDelayMs (defaults 250 / 10000). */
  initialRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Called before each reconnect attempt with the error that ended the connection. */
  onReconnect?: (attempt: number, cause: unknown) => void;
}

/** An async iterable of events that also tells where it stands. */
export interface OverdueEventStream extends AsyncIterableIterator<OverdueEventPayload> {
  /** Cursor of the last delivered event: persist it to resume after a restart of your own. */
  readonly cursor: string | undefined;
  /** Ends the stream and closes the socket. */
  close(): Promise<void>;
}

export interface SubscriptionTransport {
  wsUrl: string;
  webSocketImpl?: unknown;
  getToken: () => Promise<string | undefined>;
}

/** Close codes after which retrying cannot help (graphql-ws: 4400 bad request, 4401/4403 auth, 4409 duplicate id). */
const FATAL_CLOSE_CODES = new Set([4400, 4401, 4403, 4406, 4409]);

function closeCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export function subscribeOverdueEvents(
  transport: SubscriptionTransport,
  variables: SubscribeOverdueEventsSubscriptionVariables = {},
  options: SubscribeOptions = {},
): OverdueEventStream {
  const source = operationSources.subscribeOverdueEvents.source;
  const initialDelay = options.initialRetryDelayMs ?? 250;
  const maxDelay = options.maxRetryDelayMs ?? 10_000;
  let cursor = variables.after ?? undefined;
  let closed = false;
  let ws: WsClient | undefined;
  let wakeSleeper: (() => void) | undefined;

  const close = async () => {
    closed = true;
    wakeSleeper?.();
    await ws?.dispose();
  };
  options.signal?.addEventListener('abort', () => void close());

  async function* run(): AsyncGenerator<OverdueEventPayload> {
    let attempt = 0;
    while (!closed) {
      ws = createWsClient({
        url: transport.wsUrl,
        webSocketImpl: transport.webSocketImpl,
        lazy: true,
        lazyCloseTimeout: 0,
        retryAttempts: 0,
        connectionParams: async () => {
          const token = await transport.getToken();
          return token ? { authorization: `Bearer ${token}` } : {};
        },
      });
      let failure: unknown;
      try {
        const iterator = ws.iterate<SubscribeOverdueEventsSubscription>({ query: source, variables: { ...variables, after: cursor } });
        for await (const result of iterator) {
          if (result.errors?.length) throw HuikuanError.fromErrors(result.errors as GraphQLErrorEntry[]);
          const event = result.data!.overdueEvents;
          cursor = event.cursor;
          attempt = 0;
          yield event;
        }
      } catch (error) {
        if (error instanceof HuikuanError) throw error;
        if (Array.isArray(error)) throw HuikuanError.fromErrors(error as GraphQLErrorEntry[]);
        const code = closeCode(error);
        if (code !== undefined && FATAL_CLOSE_CODES.has(code)) {
          const rawReason = (error as { reason?: unknown }).reason;
          const closeReason = typeof rawReason === 'string' ? rawReason : '';
          const apiCode = code === 4401 ? 'UNAUTHENTICATED' : code === 4403 ? 'FORBIDDEN' : 'BAD_USER_INPUT';
          const message = `The server refused or ended the subscription (close code ${code}): ${closeReason}`.trim();
          // The server names why it ended a session (TOKEN_REVOKED, TOKEN_EXPIRED, …) as the close reason.
          const reason = /^[A-Z][A-Z0-9_]*$/.test(closeReason) ? (closeReason as ErrorReason) : undefined;
          throw new HuikuanError(message, apiCode, [{ message, extensions: { code: apiCode, ...(reason ? { reason } : {}) } }]);
        }
        failure = error;
      } finally {
        await ws.dispose();
      }
      if (closed) return;
      // The server ended the stream or the connection dropped: resume after the last cursor.
      attempt += 1;
      options.onReconnect?.(attempt, failure);
      const delay = Math.min(maxDelay, initialDelay * 2 ** Math.min(attempt - 1, 16));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wakeSleeper = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeSleeper = undefined;
    }
  }

  const iterator = run();
  const stream: OverdueEventStream = {
    get cursor() {
      return cursor;
    },
    close,
    next: () => iterator.next(),
    return: async (value?: unknown) => {
      await close();
      return iterator.return(value);
    },
    throw: (error?: unknown) => iterator.throw(error),
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}
