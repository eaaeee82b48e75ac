/** The SDK's error: every failed call rejects with a HuikuanError carrying the API code and reason. */
import type { ErrorReason } from './generated/error-reason.js';

export type { ErrorReason };

export type ApiErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'INTERNAL_SERVER_ERROR'
  /** The database is down or busy (HTTP 503): retry after a moment. */
  | 'SERVICE_UNAVAILABLE'
  | 'NETWORK_ERROR';

export interface GraphQLErrorEntry {
  message: string;
  path?: (string | number)[];
  /** A refused operation limit also names `limit`, `budget` and (when known) `actual`. */
  extensions?: { code?: string; field?: string; reason?: ErrorReason; limit?: string; actual?: number; budget?: number; [key: string]: unknown };
}

export class HuikuanError extends Error {
  /** API code of the first error (API.md), or NETWORK_ERROR when no GraphQL answer came. */
  readonly code: ApiErrorCode;
  /** The offending input field for BAD_USER_INPUT, e.g. `input.amount`. */
  readonly field?: string;
  /**
   * Why the request was refused, e.g. `LAG_REASON_REQUIRED`: one of the schema's
   * ErrorReason values (a union type, so a `switch` over it can be exhaustive).
   */
  readonly reason?: ErrorReason;
  /** For a throttled call (`LOGIN_THROTTLED`): seconds to wait before trying again. */
  readonly retryAfterSeconds?: number;
  /** Every GraphQL error of the response. */
  readonly errors: GraphQLErrorEntry[];
  /** HTTP status of the response, when there was one. */
  readonly status?: number;

  constructor(message: string, code: ApiErrorCode, errors: GraphQLErrorEntry[] = [], status?: number) {
    super(message);
    this.name = 'HuikuanError';
    this.code = code;
    this.errors = errors;
    this.status = status;
    this.field = errors[0]?.extensions?.field;
    this.reason = errors[0]?.extensions?.reason;
    const retryAfter = errors[0]?.extensions?.retryAfterSeconds;
    if (typeof retryAfter === 'number') this.retryAfterSeconds = retryAfter;
  }

  static fromErrors(errors: GraphQLErrorEntry[], status?: number): HuikuanError {
    const first = errors[0];
    const code = (first?.extensions?.code ?? 'INTERNAL_SERVER_ERROR') as ApiErrorCode;
    return new HuikuanError(first?.message ?? 'Unknown error', code, errors, status);
  }
}
