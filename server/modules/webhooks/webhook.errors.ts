/** Why the webhooks area refuses a request (merged into the schema's ErrorReason). */
export enum WebhookErrorReason {
  /** The URL is not an absolute http(s) URL, or carries a user name or password. */
  WEBHOOK_URL_INVALID = 'WEBHOOK_URL_INVALID',
  /** In production an endpoint must use https (unless WEBHOOK_ALLOW_HTTP=1). */
  WEBHOOK_URL_NOT_HTTPS = 'WEBHOOK_URL_NOT_HTTPS',
  /** The host resolves to a loopback, private, link-local or metadata address (allowed only with WEBHOOK_ALLOW_PRIVATE=1). */
  WEBHOOK_URL_PRIVATE_ADDRESS = 'WEBHOOK_URL_PRIVATE_ADDRESS',
  /** The host name does not resolve. */
  WEBHOOK_URL_UNRESOLVABLE = 'WEBHOOK_URL_UNRESOLVABLE',
  /** The endpoint is disabled: enable it (updateWebhookEndpoint) before sending to it. */
  WEBHOOK_ENDPOINT_DISABLED = 'WEBHOOK_ENDPOINT_DISABLED',
}

declare module '../../core/errors' {
  interface AreaErrorReasons {
    webhooks: WebhookErrorReason;
  }
}
