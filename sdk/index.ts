/** The huikuan SDK: a typed client for the huikuan GraphQL API. */
export { createClient } from './client.js';
export type { Client, ClientOptions } from './client.js';
export { HuikuanError } from './errors.js';
export { parseWebhookSignature, verifyWebhookSignature } from './webhooks.js';
export type { OverdueEventPayload, OverdueEventStream, SubscribeOptions } from './subscriptions.js';
export type { ApiErrorCode, ErrorReason, GraphQLErrorEntry } from './errors.js';
export * from './generated/graphql.js';
