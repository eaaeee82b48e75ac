/**
 * Domain errors and their single mapping to GraphQL errors. Services throw DomainErrors
 * (each area names its reasons); `formatError` turns them, and anything else, into a
 * GraphQL error whose `extensions.code` is one of API.md's codes. Nothing unexpected
 * reaches a client with its message or stack; an unreachable or saturated database is
 * SERVICE_UNAVAILABLE, not an internal error.
 */
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { classifyDatabaseError } from './database-errors';

export enum ApiErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  CONFLICT = 'CONFLICT',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
  /** The database is unreachable or saturated: retry later (HTTP 503). */
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
}

/** Extra machine-readable facts of a refusal, e.g. `{ limit: 'depth', actual: 14, budget: 10 }`. */
export type ErrorDetails = Record<string, string | number>;

export class DomainError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** Machine-readable reason within the area, e.g. `LAG_REASON_REQUIRED`. */
    readonly reason?: string,
    /** The offending input field, dotted from the argument (`input.amount`). */
    readonly field?: string,
    /** Merged into `extensions` as they are (limits name `limit`, `actual`, `budget`). */
    readonly details?: ErrorDetails,
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

export const serviceUnavailable = (message: string, reason: string) =>
  new DomainError(ApiErrorCode.SERVICE_UNAVAILABLE, message, reason);

const KNOWN_CODES = new Set<string>(Object.values(ApiErrorCode));

/** graphql-js stops parsing at the token budget (parseOptions.maxTokens) with this message (its typo included). */
const TOKEN_LIMIT = /^Syntax Error: Document contains more th(?:an|at) (\d+) tokens\. Parsing aborted\.$/;
/** graphql-js's own rule against introspection nesting fields/interfaces/possibleTypes 3 lists deep. */
const INTROSPECTION_DEPTH = 'Maximum introspection depth exceeded';
const INTROSPECTION_LIST_DEPTH = 3;

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
  /** A database failure answered as SERVICE_UNAVAILABLE or a timeout (logged without SQL values). */
  onDatabaseError?: (error: unknown) => void;
  /** PostgreSQL statement_timeout of requests, named as the budget of STATEMENT_TIMEOUT. */
  statementTimeoutMs?: number;
}

/** The API error a database failure becomes, if it is one the caller can do something about. */
export function databaseFailureError(error: unknown, statementTimeoutMs?: number): DomainError | undefined {
  switch (classifyDatabaseError(error)) {
    case 'unavailable':
      return serviceUnavailable('The database is unavailable; try again shortly', 'DATABASE_UNAVAILABLE');
    case 'busy':
      return serviceUnavailable('The database is busy: no connection came free in time; try again shortly', 'DATABASE_BUSY');
    case 'statement-timeout':
      return new DomainError(
        ApiErrorCode.BAD_USER_INPUT,
        `A database statement of this operation ran longer than the statement timeout${statementTimeoutMs ? ` of ${statementTimeoutMs} ms` : ''}; ask for less at a time`,
        'STATEMENT_TIMEOUT',
        undefined,
        { limit: 'statementTimeoutMs', ...(statementTimeoutMs ? { budget: statementTimeoutMs } : {}) },
      );
    default:
      return undefined;
  }
}

export function createErrorFormatter(options: ErrorFormatterOptions) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    let domain = findDomainError(error);
    const base = {
      message: formatted.message,
      locations: formatted.locations,
      path: formatted.path,
    };
    if (!domain) {
      domain = databaseFailureError(error, options.statementTimeoutMs);
      if (domain) {
        options.onDatabaseError?.(error);
        base.message = domain.message;
      }
    }
    if (domain) {
      // Scalars do not know the field they parse: graphql-js names it in the message.
      const field = domain.field || fieldFromCoercionMessage(formatted.message);
      return {
        ...base,
        extensions: {
          ...domain.details,
          code: domain.code,
          ...(domain.reason ? { reason: domain.reason } : {}),
          ...(field ? { field } : {}),
        },
      };
    }
    const code = String(formatted.extensions?.code ?? '');
    const tokens = TOKEN_LIMIT.exec(formatted.message);
    if (tokens) {
      // Parsing stops at the budget, so counting the rest would only spend time on the
      // attacker's document: `actual` is absent, the message says "more than".
      const budget = Number(tokens[1]);
      return {
        ...base,
        message: `The operation has more than ${budget} tokens (limit tokens, budget ${budget}); parsing stopped there`,
        extensions: { code: ApiErrorCode.BAD_USER_INPUT, reason: 'TOO_MANY_TOKENS', limit: 'tokens', budget },
      };
    }
    if (formatted.message === INTROSPECTION_DEPTH) {
      return {
        ...base,
        message: `Introspection nests fields, interfaces or possibleTypes more than ${INTROSPECTION_LIST_DEPTH} lists deep`,
        extensions: { code: ApiErrorCode.BAD_USER_INPUT, reason: 'QUERY_TOO_DEEP', limit: 'introspectionListDepth', budget: INTROSPECTION_LIST_DEPTH },
      };
    }
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
      const field = fieldFromCoercionMessage(formatted.message);
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
