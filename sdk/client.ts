/**
 * The huikuan client: `createClient({ url, token })` returns one typed method per
 * operation of schema/operations/ (`client.login(...)`, `client.customers(...)`), each
 * resolving to the operation's typed data or rejecting with a HuikuanError. Uses only
 * `fetch`, so it runs unchanged in Node 18+ and in browsers.
 */
import { HuikuanError, type GraphQLErrorEntry } from './errors.js';
import { subscribeOverdueEvents, type OverdueEventStream, type SubscribeOptions } from './subscriptions.js';
import {
  operationSources,
  type OperationMethods,
  type OperationName,
  type RequestOptions,
  type SubscribeOverdueEventsSubscriptionVariables,
} from './generated/graphql.js';

export interface ClientOptions {
  /** The GraphQL endpoint, e.g. `http://localhost:4000/graphql`. */
  url: string;
  /** A bearer token from `login` or `createApiToken`. */
  token?: string;
  /** Called before every request; wins over `token` (for refreshing tokens). */
  getToken?: () => string | undefined | Promise<string | undefined>;
  /** A fetch implementation; defaults to the global one. */
  fetch?: typeof fetch;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /** WebSocket URL for subscriptions; defaults to `url` with ws(s)://. */
  wsUrl?: string;
  /** A WebSocket implementation where there is no global one (Node 20: `import WebSocket from 'ws'`). */
  webSocketImpl?: unknown;
}

export interface Client extends OperationMethods {
  /** Runs any GraphQL document; the typed methods are built on this. */
  request<TData, TVariables extends object = Record<string, never>>(query: string, variables?: TVariables, options?: RequestOptions): Promise<TData>;
  /** Replaces the token used by later calls (e.g. after `login`). */
  setToken(token: string | undefined): void;
  /**
   * Overdue events as an async iterable: replays every event after `after`, then live
   * ones; reconnects by itself and resumes after the last event it delivered.
   */
  subscribeOverdueEvents(variables?: SubscribeOverdueEventsSubscriptionVariables, options?: SubscribeOptions): OverdueEventStream;
}

interface GraphQLResponse<TData> {
  data?: TData | null;
  errors?: GraphQLErrorEntry[];
}

export function createClient(options: ClientOptions): Client {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (!fetchImpl) throw new Error('No fetch available: pass one in createClient({ fetch })');
  let token = options.token;

  const currentToken = async () => (options.getToken ? await options.getToken() : token);

  async function request<TData, TVariables extends object>(query: string, variables?: TVariables, callOptions?: RequestOptions): Promise<TData> {
    const bearer = await currentToken();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...options.headers,
      ...callOptions?.headers,
    };
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    let response: Response;
    try {
      response = await fetchImpl(options.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables: variables ?? {} }),
        signal: callOptions?.signal,
      });
    } catch (e) {
      throw new HuikuanError(`Cannot reach ${options.url}: ${e instanceof Error ? e.message : String(e)}`, 'NETWORK_ERROR');
    }
    let body: GraphQLResponse<TData>;
    try {
      body = (await response.json()) as GraphQLResponse<TData>;
    } catch {
      throw new HuikuanError(`${options.url} answered HTTP ${response.status} without a GraphQL response`, 'NETWORK_ERROR', [], response.status);
    }
    if (body.errors && body.errors.length > 0) throw HuikuanError.fromErrors(body.errors, response.status);
    if (!body.data) throw new HuikuanError('The response has no data', 'INTERNAL_SERVER_ERROR', [], response.status);
    return body.data;
  }

  const client = {
    request,
    setToken(next: string | undefined) {
      token = next;
    },
    subscribeOverdueEvents(variables?: SubscribeOverdueEventsSubscriptionVariables, subscribeOptions?: SubscribeOptions) {
      return subscribeOverdueEvents(
        {
          wsUrl: options.wsUrl ?? options.url.replace(/^http/, 'ws'),
          webSocketImpl: options.webSocketImpl,
          getToken: currentToken,
        },
        variables,
        subscribeOptions,
      );
    },
  } as Client;
  const methods = client as unknown as Record<string, unknown>;
  for (const [name, operation] of Object.entries(operationSources) as [OperationName, { kind: string; source: string }][]) {
    if (operation.kind === 'subscription') continue;
    methods[name] = (variables?: object, callOptions?: RequestOptions) => request(operation.source, variables, callOptions);
  }
  return client;
}
