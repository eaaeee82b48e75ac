/** The huikuan SDK: a typed client for the huikuan GraphQL API. */
export { createClient } from './client';
export type { Client, ClientOptions } from './client';
export { HuikuanError } from './errors';
export type { OverdueEventPayload, OverdueEventStream, SubscribeOptions } from './subscriptions';
export type { ApiErrorCode, GraphQLErrorEntry } from './errors';
export * from './generated/graphql';
