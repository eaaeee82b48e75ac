/**
 * Database failures seen from a request: which ones mean "the database is down", "no
 * connection came free in time" or "a statement ran past statement_timeout" (so callers
 * get SERVICE_UNAVAILABLE or a timeout instead of INTERNAL_SERVER_ERROR), and how an
 * error is written to the log without the SQL parameter values that knex and MikroORM
 * put into its message (one such log held a password hash).
 */

export type DatabaseFailure = 'unavailable' | 'busy' | 'statement-timeout';

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  stack?: unknown;
  originalError?: unknown;
  cause?: unknown;
  [key: string]: unknown;
}

/** Socket-level failures: the server is not there (or not reachable). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN']);

/**
 * SQLSTATEs (PostgreSQL appendix A) meaning the database cannot serve now: class 08 is
 * checked separately; 57P01–57P03 admin/crash shutdown and "cannot connect now"; 3D000 the
 * database is gone; 28000/28P01 the server refuses our credentials.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '3D000', '28000', '28P01']);

/** node-postgres' own messages when the connection is lost or cannot be made. */
const CONNECTION_LOST = [
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Connection terminated due to connection timeout',
  'Client has encountered a connection error and is not queryable',
  'timeout expired',
];

const SQLSTATE = /^[0-9A-Z]{5}$/;

function* chainOf(error: unknown): Generator<ErrorLike> {
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 6; depth++) {
    yield current as ErrorLike;
    const next: ErrorLike = current as ErrorLike;
    current = next.originalError ?? next.cause;
  }
}

/**
 * PostgreSQL's own message without what knex and MikroORM add around it: knex prefixes
 * the statement with its values inlined (`<sql> - <message>`), MikroORM appends
 * `\n - detail: …` (which names key values). The database's text is after the last " - ".
 */
function serverMessage(message: string): string {
  const withoutDetail = message.split('\n - detail:')[0].split('\n - hint:')[0];
  const cut = withoutDetail.lastIndexOf(' - ');
  return cut >= 0 ? withoutDetail.slice(cut + 3) : withoutDetail;
}

export function classifyDatabaseError(error: unknown): DatabaseFailure | undefined {
  for (const e of chainOf(error)) {
    const name = typeof e.name === 'string' ? e.name : '';
    const message = typeof e.message === 'string' ? e.message : '';
    const code = typeof e.code === 'string' ? e.code : '';
    if (name === 'KnexTimeoutError' || message.startsWith('Knex: Timeout acquiring a connection')) return 'busy';
    if (NETWORK_CODES.has(code)) return 'unavailable';
    const text = serverMessage(message);
    if (SQLSTATE.test(code)) {
      if (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code)) return 'unavailable';
      if (code === '53300') return 'busy'; // too_many_connections: the server is full
      if (code === '57014' && text.endsWith('statement timeout')) return 'statement-timeout';
      if (code === '55000' && text.endsWith('is not currently accepting connections')) return 'unavailable';
    }
    if (CONNECTION_LOST.some((lost) => text === lost)) return 'unavailable';
  }
  return undefined;
}

/** Fields of a PostgreSQL error that name things, never values. */
const SAFE_DB_FIELDS = ['code', 'sqlState', 'severity', 'constraint', 'table', 'column', 'schema', 'dataType', 'routine'] as const;

function isDatabaseError(e: ErrorLike): boolean {
  const name = typeof e.name === 'string' ? e.name : '';
  return (typeof e.code === 'string' && SQLSTATE.test(e.code) && 'severity' in e) || name.endsWith('Exception') || name === 'DatabaseError';
}

function framesOf(stack: unknown): string | undefined {
  if (typeof stack !== 'string') return undefined;
  return stack
    .split('\n')
    .filter((line) => line.trim().startsWith('at '))
    .join('\n');
}

/**
 * The error as a plain object for the log. A database error anywhere in the chain
 * (GraphQL wraps it, MikroORM wraps knex's) replaces every message of the chain, since
 * each of them repeats the SQL with its values: the log keeps the error's type, SQLSTATE,
 * constraint, table and column, and PostgreSQL's message with quoted literals masked.
 */
export function sanitizeErrorForLog(error: unknown): Record<string, unknown> {
  if (!error || typeof error !== 'object') return { message: String(error) };
  // Not an Error: already sanitised (the app sanitises, and so does the logger's serializer).
  if (!(error instanceof Error)) return error as Record<string, unknown>;
  const chain = [...chainOf(error)];
  const outer = chain[0];
  const db = chain.find(isDatabaseError);
  if (!db) {
    const inner = chain[chain.length - 1];
    return {
      type: typeof outer.name === 'string' ? outer.name : 'Error',
      message: typeof outer.message === 'string' ? outer.message : Object.prototype.toString.call(outer),
      ...(Array.isArray(outer.path) ? { path: outer.path.join('.') } : {}),
      stack: typeof inner.stack === 'string' ? inner.stack : undefined,
      ...(inner !== outer ? { cause: { type: inner.name, message: inner.message } } : {}),
    };
  }
  const text = serverMessage(typeof db.message === 'string' ? db.message : '')
    .replace(/"[^"]*"/g, '"…"')
    .replace(/'[^']*'/g, "'…'");
  const fields: Record<string, unknown> = {};
  for (const key of SAFE_DB_FIELDS) if (typeof db[key] === 'string') fields[key] = db[key];
  return {
    type: typeof db.name === 'string' ? db.name : 'DatabaseError',
    message: text,
    ...fields,
    ...(Array.isArray(outer.path) ? { path: outer.path.join('.') } : {}),
    stack: framesOf(db.stack),
  };
}
