/**
 * Domain errors and their single mapping to GraphQL errors. Services throw DomainErrors
 * (each area names its reasons); `formatError` turns them, and anything else, into a
 * GraphQL error whose `extensions.code` is one of API.md's codes. Nothing unexpected
 * reaches a client with its message or stack.
 */
import { GraphQLError, GraphQLFormattedError } from 'graphql';

export enum ApiErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  CONFLICT = 'CONFLICT',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

export class DomainError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** Machine-readable reason within the area, e.g. `LAG_REASON_REQUIRED`. */
    readonly reason?: string,
    /** The offending input field, dotted from the argument (`input.amount`). */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const unauthenticated = (message = 'Authentication required: send a valid bearer token') =>
  new DomainError(ApiErrorCode.UNAUTHENTICATED, message, 'UNAUTHENTICATED');

export const forbidden = (message = 'Your role may not do this') =>
  new DomainError(ApiErrorCode.FORBIDDEN, message, 'FORBIDDEN');

/** Also used where the caller may not see the object: existence is not disclosed. */
export const notFound = (what: string, id: string, field?: string) =>
  new DomainError(ApiErrorCode.NOT_FOUND, `${what} ${id} not found`, 'NOT_FOUND', field);

export const badInput = (field: string, message: string, reason = 'INVALID') =>
  new DomainError(ApiErrorCode.BAD_USER_INPUT, message, reason, field);

export const conflict = (message: string, reason = 'CONFLICT', field?: string) =>
  new DomainError(ApiErrorCode.CONFLICT, message, reason, field);

const KNOWN_CODES = new Set<string>(Object.values(ApiErrorCode));

/** graphql-js names the offending variable path in its message: `at "input.amount"`. */
function fieldFromCoercionMessage(message: string): string | undefined {
  const at = /^Variable "\$([^"]+)" got invalid value .*? at "([^"]+)"/s.exec(message);
  // graphql-js writes list indexes as `[0]`; API fields are dotted throughout (`input.allocations.0.amount`).
  if (at) return at[2].replace(/\[(\d+)\]/g, '.$1');
  const top = /^Variable "\$([^"]+)"/.exec(message);
  return top?.[1];
}

function findDomainError(error: unknown): DomainError | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof DomainError) return current;
    current = (current as { originalError?: unknown }).originalError;
  }
  return undefined;
}

export interface ErrorFormatterOptions {
  includeStack: boolean;
  onInternalError: (error: unknown) => void;
  /** Names the argument path of an invalid inline literal, which validation reports only by position. */
  fieldOfLiteral?: (error: unknown) => string | undefined;
}

export function createErrorFormatter(options: ErrorFormatterOptions) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const domain = findDomainError(error);
    const base = {
      message: formatted.message,
      locations: formatted.locations,
      path: formatted.path,
    };
    if (domain) {
      // Scalars do not know the field they parse: graphql-js names it in the message.
      const field = domain.field || fieldFromCoercionMessage(formatted.message) || options.fieldOfLiteral?.(error);
      return {
        ...base,
        extensions: {
          code: domain.code,
          ...(domain.reason ? { reason: domain.reason } : {}),
          ...(field ? { field } : {}),
        },
      };
    }
    const code = String(formatted.extensions?.code ?? '');
    // Parse, validation and variable-coercion failures are all bad input from the caller.
    if (
      code === 'BAD_USER_INPUT' ||
      code === 'GRAPHQL_VALIDATION_FAILED' ||
      code === 'GRAPHQL_PARSE_FAILED' ||
      code === 'BAD_REQUEST' ||
      code === 'OPERATION_RESOLUTION_FAILURE' ||
      code === 'PERSISTED_QUERY_NOT_FOUND' ||
      code === 'PERSISTED_QUERY_NOT_SUPPORTED'
    ) {
      const field = fieldFromCoercionMessage(formatted.message) ?? options.fieldOfLiteral?.(error);
      return {
        ...base,
        extensions: { code: ApiErrorCode.BAD_USER_INPUT, ...(field ? { field } : {}) },
      };
    }
    if (KNOWN_CODES.has(code) && code !== ApiErrorCode.INTERNAL_SERVER_ERROR) {
      return { ...base, extensions: { code } };
    }
    options.onInternalError(error);
    return {
      ...base,
      message: 'Internal server error',
      extensions: {
        code: ApiErrorCode.INTERNAL_SERVER_ERROR,
        ...(options.includeStack && error instanceof GraphQLError && error.originalError?.stack
          ? { stacktrace: error.originalError.stack.split('\n') }
          : {}),
      },
    };
  };
}
