/**
 * Domain errors and their single mapping to GraphQL errors. Services throw DomainErrors
 * with a reason from an enum (the core's below, or their area's `<area>.errors.ts`);
 * the composition root merges every reason into the schema's `ErrorReason` enum, so
 * clients switch over them exhaustively. `formatError` turns domain errors, and
 * anything else, into a GraphQL error whose `extensions.code` is one of API.md's codes.
 * Nothing unexpected reaches a client with its message or stack; an unreachable or
 * saturated database is SERVICE_UNAVAILABLE, not an internal error.
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

/** Reasons any area can give; an area's own reasons live in its `<area>.errors.ts`. */
export enum CoreErrorReason {
  /** No bearer token, or one that is malformed, expired, revoked or of a deactivated user. */
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  /** The caller's role may not do this (see the role table in README.md). */
  FORBIDDEN = 'FORBIDDEN',
  /** No such object, or one the caller may not see. */
  NOT_FOUND = 'NOT_FOUND',
  /** The request itself is malformed: a parse or validation error, a variable of the wrong type. */
  INVALID_REQUEST = 'INVALID_REQUEST',
  /** A value is not of the expected form (money, date, e-mail address, id). */
  INVALID_FORMAT = 'INVALID_FORMAT',
  /** A number, amount or count lies outside what the field allows. */
  OUT_OF_RANGE = 'OUT_OF_RANGE',
  /** A text is empty where it is required, or longer than the field allows (any string: 10,000 characters). */
  TEXT_LENGTH = 'TEXT_LENGTH',
  /** Not a calendar date in the form YYYY-MM-DD. */
  INVALID_DATE = 'INVALID_DATE',
  /** A date outside 1900-01-01 to 2200-12-31, the dates the API accepts. */
  DATE_OUT_OF_RANGE = 'DATE_OUT_OF_RANGE',
  /** A string holds a NUL character, which no text may contain. */
  NUL_CHARACTER = 'NUL_CHARACTER',
  /** A string holds an unpaired UTF-16 surrogate (not valid Unicode). */
  INVALID_UNICODE = 'INVALID_UNICODE',
  /** The request body is not JSON GraphQL can read. */
  MALFORMED_REQUEST = 'MALFORMED_REQUEST',
  /** The request body is larger than 1 MB. */
  REQUEST_TOO_LARGE = 'REQUEST_TOO_LARGE',
  /** A business date (received, claimed paid, period start, a scan's asOf) lies after today. */
  DATE_IN_FUTURE = 'DATE_IN_FUTURE',
  /** The end of a date range lies before its start. */
  RANGE_REVERSED = 'RANGE_REVERSED',
  /** A date range spans more days than the query allows. */
  RANGE_TOO_LONG = 'RANGE_TOO_LONG',
  /** A list names the same thing twice. */
  DUPLICATE_ENTRY = 'DUPLICATE_ENTRY',
  /** A pagination cursor that this list did not hand out. */
  INVALID_CURSOR = 'INVALID_CURSOR',
  /** A period (WEEK, MONTH, QUARTER) cannot start on the given date. */
  PERIOD_START_INVALID = 'PERIOD_START_INVALID',
  /** A password shorter than the policy's minimum (12 characters). */
  PASSWORD_TOO_SHORT = 'PASSWORD_TOO_SHORT',
  /** A password longer than the policy's maximum (1,024 characters). */
  PASSWORD_TOO_LONG = 'PASSWORD_TOO_LONG',
  /** A password that is easy to guess (common, a pattern, or the user's own name or e-mail). */
  PASSWORD_TOO_WEAK = 'PASSWORD_TOO_WEAK',
  // Why a subscription's socket was closed (4403), sent as the WebSocket close reason.
  /** The token was revoked (logout, revokeApiToken). */
  TOKEN_REVOKED = 'TOKEN_REVOKED',
  /** The user token expired. */
  TOKEN_EXPIRED = 'TOKEN_EXPIRED',
  /** The user signed out everywhere. */
  SIGNED_OUT_EVERYWHERE = 'SIGNED_OUT_EVERYWHERE',
  /** The user was deactivated. */
  USER_DEACTIVATED = 'USER_DEACTIVATED',
  /** The user's role changed. */
  ROLE_CHANGED = 'ROLE_CHANGED',
  /** The credentials no longer authenticate (checked again after a lost notification). */
  CREDENTIALS_INVALID = 'CREDENTIALS_INVALID',
  // Operation limits (README, "Limits"): `extensions.limit`, `budget` and, when known, `actual` say which and by how much.
  /** The document has more tokens than QUERY_MAX_TOKENS; parsing stopped there. */
  TOO_MANY_TOKENS = 'TOO_MANY_TOKENS',
  /** Fields nest deeper than QUERY_MAX_DEPTH (or introspection lists more than 3 deep). */
  QUERY_TOO_DEEP = 'QUERY_TOO_DEEP',
  /** More aliases than QUERY_MAX_ALIASES. */
  TOO_MANY_ALIASES = 'TOO_MANY_ALIASES',
  /** More directives than QUERY_MAX_DIRECTIVES. */
  TOO_MANY_DIRECTIVES = 'TOO_MANY_DIRECTIVES',
  /** The operation's estimated cost (lists priced by `first`) exceeds the caller's role budget. */
  QUERY_TOO_COSTLY = 'QUERY_TOO_COSTLY',
  /** The answer would be larger than RESPONSE_MAX_BYTES. */
  RESPONSE_TOO_LARGE = 'RESPONSE_TOO_LARGE',
  /** The operation ran past OPERATION_TIMEOUT. */
  OPERATION_TIMEOUT = 'OPERATION_TIMEOUT',
  /** A database statement ran past DB_STATEMENT_TIMEOUT. */
  STATEMENT_TIMEOUT = 'STATEMENT_TIMEOUT',
  /** The caller already runs CONCURRENT_OPERATIONS_PER_USER operations and its queue is full (HTTP 429). */
  TOO_MANY_CONCURRENT_OPERATIONS = 'TOO_MANY_CONCURRENT_OPERATIONS',
  /** No database connection came free within DB_ACQUIRE_TIMEOUT (HTTP 503). */
  DATABASE_BUSY = 'DATABASE_BUSY',
  /** The database cannot be reached (HTTP 503). */
  DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE',
  /** Introspection needs a signed-in caller (INTROSPECTION=authenticated). */
  INTROSPECTION_REQUIRES_AUTHENTICATION = 'INTROSPECTION_REQUIRES_AUTHENTICATION',
  /** Introspection is switched off (INTROSPECTION=off). */
  INTROSPECTION_DISABLED = 'INTROSPECTION_DISABLED',
  /** Queries and mutations go over HTTP; the WebSocket carries subscriptions only. */
  SUBSCRIPTIONS_ONLY_OVER_WEBSOCKET = 'SUBSCRIPTIONS_ONLY_OVER_WEBSOCKET',
}

/**
 * Each area adds its reason enum here from its `<area>.errors.ts`
 * (`declare module '../../core/errors' { interface AreaErrorReasons { customers: CustomerErrorReason } }`),
 * so a reason is always a member of some enum, never a free string.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AreaErrorReasons {}

/** A reason of the core's or of an area's enum (all merged into the schema's ErrorReason). */
export type ErrorReasonValue = CoreErrorReason | AreaErrorReasons[keyof AreaErrorReasons];

/** Extra machine-readable facts of a refusal, e.g. `{ limit: 'depth', actual: 14, budget: 10 }`. */
export type ErrorDetails = Record<string, string | number | boolean>;

export class DomainError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** Machine-readable reason, one of the schema's ErrorReason values, e.g. `LAG_REASON_REQUIRED`. */
    readonly reason: ErrorReasonValue,
    /** The offending input field, dotted from the argument (`input.amount`). */
    readonly field?: string,
    /** Merged into `extensions` as they are (limits name `limit`, `actual`, `budget`). */
    readonly details?: ErrorDetails,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const unauthenticated = (message = 'Authentication required: send a valid bearer token', reason: ErrorReasonValue = CoreErrorReason.UNAUTHENTICATED) =>
  new DomainError(ApiErrorCode.UNAUTHENTICATED, message, reason);

export const forbidden = (message = 'Your role may not do this') => new DomainError(ApiErrorCode.FORBIDDEN, message, CoreErrorReason.FORBIDDEN);

/** Also used where the caller may not see the object: existence is not disclosed. */
export const notFound = (what: string, id: string, field?: string) =>
  new DomainError(ApiErrorCode.NOT_FOUND, `${what} ${id} not found`, CoreErrorReason.NOT_FOUND, field);

export const badInput = (field: string, message: string, reason: ErrorReasonValue) => new DomainError(ApiErrorCode.BAD_USER_INPUT, message, reason, field);

export const conflict = (message: string, reason: ErrorReasonValue, field?: string) => new DomainError(ApiErrorCode.CONFLICT, message, reason, field);

export const serviceUnavailable = (message: string, reason: ErrorReasonValue) => new DomainError(ApiErrorCode.SERVICE_UNAVAILABLE, message, reason);

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
  /** Names the argument path of an invalid inline literal, which validation reports only by position. */
  fieldOfLiteral?: (error: unknown) => string | undefined;
}

/** The API error a database failure becomes, if it is one the caller can do something about. */
export function databaseFailureError(error: unknown, statementTimeoutMs?: number): DomainError | undefined {
  switch (classifyDatabaseError(error)) {
    case 'unavailable':
      return serviceUnavailable('The database is unavailable; try again shortly', CoreErrorReason.DATABASE_UNAVAILABLE);
    case 'busy':
      return serviceUnavailable('The database is busy: no connection came free in time; try again shortly', CoreErrorReason.DATABASE_BUSY);
    case 'statement-timeout':
      return new DomainError(
        ApiErrorCode.BAD_USER_INPUT,
        `A database statement of this operation ran longer than the statement timeout${statementTimeoutMs ? ` of ${statementTimeoutMs} ms` : ''}; ask for less at a time`,
        CoreErrorReason.STATEMENT_TIMEOUT,
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
      const field = domain.field || fieldFromCoercionMessage(formatted.message) || options.fieldOfLiteral?.(error);
      return {
        ...base,
        extensions: {
          ...domain.details,
          code: domain.code,
          reason: domain.reason,
          ...(field ? { field } : {}),
          ...domain.details,
        },
      };
    }
    const rawCode = formatted.extensions?.code;
    const code = typeof rawCode === 'string' ? rawCode : '';
    const tokens = TOKEN_LIMIT.exec(formatted.message);
    if (tokens) {
      // Parsing stops at the budget, so counting the rest would only spend time on the
      // attacker's document: `actual` is absent, the message says "more than".
      const budget = Number(tokens[1]);
      return {
        ...base,
        message: `The operation has more than ${budget} tokens (limit tokens, budget ${budget}); parsing stopped there`,
        extensions: { code: ApiErrorCode.BAD_USER_INPUT, reason: CoreErrorReason.TOO_MANY_TOKENS, limit: 'tokens', budget },
      };
    }
    if (formatted.message === INTROSPECTION_DEPTH) {
      return {
        ...base,
        message: `Introspection nests fields, interfaces or possibleTypes more than ${INTROSPECTION_LIST_DEPTH} lists deep`,
        extensions: {
          code: ApiErrorCode.BAD_USER_INPUT,
          reason: CoreErrorReason.QUERY_TOO_DEEP,
          limit: 'introspectionListDepth',
          budget: INTROSPECTION_LIST_DEPTH,
        },
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
      const field = fieldFromCoercionMessage(formatted.message) ?? options.fieldOfLiteral?.(error);
      return {
        ...base,
        extensions: { code: ApiErrorCode.BAD_USER_INPUT, reason: CoreErrorReason.INVALID_REQUEST, ...(field ? { field } : {}) },
      };
    }
    if (KNOWN_CODES.has(code) && code !== (ApiErrorCode.INTERNAL_SERVER_ERROR as string)) {
      return { ...base, extensions: { code } };
    }
    options.onInternalError(error);
    return {
      ...base,
      message: 'Internal server error',
      extensions: {
        code: ApiErrorCode.INTERNAL_SERVER_ERROR,
        ...(options.includeStack && error instanceof GraphQLError && error.originalError?.stack ? { stacktrace: error.originalError.stack.split('\n') } : {}),
      },
    };
  };
}
