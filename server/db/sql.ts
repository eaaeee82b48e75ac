/**
 * The one way hand-written SQL is sent. A query is defined once, in its area's
 * `<area>.queries.ts`, with named parameters (`:name`, typed by the query's Params) and
 * a decoder that turns each row, as the driver hands it over, into the row type: numeric
 * strings become Cents, counts numbers, dates stay `LocalDate` text. So a row type is
 * checked where the row arrives instead of asserted with a cast.
 *
 * Parameters:
 * - `:name` is a parameter, `::type` a cast; text inside quotes ('…', "…", $$…$$) and
 *   comments is left alone (backslash escapes of E'…' strings are not understood: use a
 *   parameter). Every `:name` needs a value (null, not undefined) and every value a `:name`.
 * - An array travels as one PostgreSQL array literal (`pgArray`), never as a list of
 *   placeholders, and is cast in SQL: `= any(cast(:ids as uuid[]))`. One rule for every
 *   array, and the statement text does not depend on how many ids there are.
 * - A `Where` (or any `SqlFragment`) as a value becomes one parenthesised condition,
 *   with its own parameters: dynamic filters compose without renaming.
 *
 * Values are sent the way MikroORM's `em.execute` sends them (it quotes them into the
 * statement), so queries keep their transaction and logging. Only `server/db/` calls
 * `em.execute`; `test/unit/sql-style.test.ts` keeps it so.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { type Cents, centsFromNumeric, type MoneyText, moneyTextFromNumeric } from '../core/money';
import { isCalendarDate, type LocalDate } from '../core/local-date';
import { badInput, CoreErrorReason } from '../core/errors';

/**
 * A PostgreSQL array literal for text-like values (uuid, date, text, int). MikroORM would
 * expand a JS array into a comma-separated list, so arrays travel as one literal and are
 * cast in SQL: `unnest(cast(:ids as uuid[]))`.
 */
export function pgArray(values: readonly (string | number)[]): string {
  return `{${values.map((v) => `"${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether an id from a client can name a row: PostgreSQL rejects other strings compared with a uuid column. */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** An ILIKE pattern matching `text` anywhere, with LIKE wildcards in it taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

// ── Parameters ──────────────────────────────────────────────────────────────────

/**
 * What a parameter may be. No bigint: money goes in as a decimal string (formatMoney),
 * so nobody sends cents where the column holds currency units.
 */
export type SqlValue = string | number | boolean | Date | null | readonly (string | number)[];

/** A piece of SQL with its own named parameters, used as one condition. */
export interface SqlFragment {
  readonly sql: string;
  readonly params: Readonly<Record<string, SqlParam>>;
}

export type SqlParam = SqlValue | SqlFragment;

/** The shape every Params type of a query must have: each property a parameter. */
export type SqlParams<P> = { [K in keyof P]: SqlParam };

/** Params of a query without parameters. */
export type NoParams = Record<never, never>;

/** A query without parameters may be called without them. */
type ParamsArg<P> = [keyof P] extends [never] ? [params?: P] : [params: P];

function isFragment(value: unknown): value is SqlFragment {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) && 'sql' in value && 'params' in value;
}

/** Conjunction of SQL conditions with their named parameters, built up step by step. */
export class Where implements SqlFragment {
  readonly clauses: string[] = [];
  private readonly values: Record<string, SqlParam> = {};

  /** Adds a condition; a parameter name already bound to another value is a programming error. */
  add(clause: string, params: Record<string, SqlParam> = {}): this {
    for (const [name, value] of Object.entries(params)) {
      if (name in this.values && this.values[name] !== value) {
        throw new Error(`SQL parameter :${name} is already bound to another value in this Where`);
      }
      this.values[name] = value;
    }
    this.clauses.push(clause);
    return this;
  }

  /** `column = :name` on a uuid column; an id that is no uuid matches no row instead of failing. */
  addIdEquals(column: string, name: string, id: string): this {
    return isUuid(id) ? this.add(`${column} = :${name}`, { [name]: id }) : this.add('false');
  }

  get sql(): string {
    return this.clauses.length ? this.clauses.map((c) => `(${c})`).join(' and ') : 'true';
  }

  get params(): Readonly<Record<string, SqlParam>> {
    return this.values;
  }
}

// ── Compiling named parameters ──────────────────────────────────────────────────

type Segment = string | { param: string };

const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;

/** Splits SQL into text and `:name` parameters, skipping casts, quoted text and comments. */
function parseSql(text: string): Segment[] {
  const segments: Segment[] = [];
  let buffer = '';
  let i = 0;
  const skipTo = (end: number) => {
    buffer += text.slice(i, end);
    i = end;
  };
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === "'" || c === '"') {
      // Quoted text or identifier; a doubled quote is part of it.
      let j = i + 1;
      for (;;) {
        const close = text.indexOf(c, j);
        if (close === -1) throw new Error(`SQL has an unterminated ${c === "'" ? 'string' : 'identifier'}: ${text.slice(i, i + 40)}`);
        if (text[close + 1] === c) j = close + 2;
        else {
          j = close + 1;
          break;
        }
      }
      skipTo(j);
    } else if (c === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      skipTo(end === -1 ? text.length : end);
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) throw new Error('SQL has an unterminated comment');
      skipTo(end + 2);
    } else if (c === '$' && /^\$([A-Za-z_]\w*)?\$/.test(text.slice(i))) {
      const tag = /^\$([A-Za-z_]\w*)?\$/.exec(text.slice(i))![0];
      const end = text.indexOf(tag, i + tag.length);
      if (end === -1) throw new Error(`SQL has an unterminated ${tag} quote`);
      skipTo(end + tag.length);
    } else if (c === ':' && next === ':') {
      skipTo(i + 2);
    } else if (c === ':' && next !== undefined && NAME_START.test(next)) {
      let j = i + 1;
      while (j < text.length && NAME_PART.test(text[j])) j++;
      if (buffer) segments.push(buffer);
      buffer = '';
      segments.push({ param: text.slice(i + 1, j) });
      i = j;
    } else {
      skipTo(i + 1);
    }
  }
  if (buffer) segments.push(buffer);
  return segments;
}

export interface CompiledSql {
  /** The statement with `?` placeholders, as `em.execute` takes it. */
  text: string;
  values: unknown[];
}

function bindValue(name: string, value: SqlValue): unknown {
  if (Array.isArray(value)) return pgArray(value as readonly (string | number)[]);
  if (typeof value === 'bigint') throw new Error(`SQL parameter :${name} is a bigint: send money as a decimal string`);
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`SQL parameter :${name} is not a finite number`);
  return value;
}

function compileInto(segments: Segment[], params: Readonly<Record<string, unknown>>, parts: Segment[], values: unknown[]): void {
  const used = new Set<string>();
  for (const segment of segments) {
    if (typeof segment === 'string') {
      parts.push(segment);
      continue;
    }
    const name = segment.param;
    const value = Object.prototype.hasOwnProperty.call(params, name) ? params[name] : undefined;
    if (value === undefined) throw new Error(`SQL parameter :${name} has no value (use null for NULL)`);
    used.add(name);
    if (isFragment(value)) {
      parts.push('(');
      compileInto(parseSql(value.sql), value.params, parts, values);
      parts.push(')');
    } else {
      parts.push({ param: name });
      values.push(bindValue(name, value as SqlValue));
    }
  }
  const unused = Object.keys(params).filter((name) => !used.has(name));
  if (unused.length) throw new Error(`SQL parameters not used by the statement: ${unused.map((n) => `:${n}`).join(', ')}`);
}

/** Turns named parameters into `em.execute`'s `?` placeholders and their values, in order. */
export function compileSql(segments: Segment[] | string, params: Readonly<Record<string, unknown>>): CompiledSql {
  const parts: Segment[] = [];
  const values: unknown[] = [];
  compileInto(typeof segments === 'string' ? parseSql(segments) : segments, params, parts, values);
  // MikroORM fills every `?` with a value; a literal one (an operator, a character in
  // quoted text) is escaped so it stays what it is. Without values nothing is filled.
  const text = parts.map((p) => (typeof p === 'string' ? (values.length ? p.replace(/\?/g, '\\?') : p) : '?')).join('');
  return { text, values };
}

// ── Rows ────────────────────────────────────────────────────────────────────────

/**
 * One row as the driver hands it over, read column by column into honest types. A
 * column that is missing or of another type is a programming error, reported by name.
 */
export class SqlRow {
  constructor(readonly raw: Readonly<Record<string, unknown>>) {}

  private value(name: string): unknown {
    if (!Object.prototype.hasOwnProperty.call(this.raw, name)) throw new Error(`SQL row has no column ${name}`);
    return this.raw[name];
  }

  private fail(name: string, expected: string): never {
    const value = this.raw[name];
    throw new Error(
      `SQL column ${name}: expected ${expected}, got ${value === null ? 'null' : `${typeof value} ${JSON.stringify(value)?.slice(0, 40) ?? ''}`}`,
    );
  }

  isNull(name: string): boolean {
    return this.value(name) === null;
  }

  text(name: string): string {
    const value = this.value(name);
    return typeof value === 'string' ? value : this.fail(name, 'text');
  }

  textOrNull(name: string): string | null {
    return this.isNull(name) ? null : this.text(name);
  }

  /** A value of a string enum (a status, a type), checked against the enum's values. */
  oneOf<E extends string>(name: string, values: Readonly<Record<string, E>>): E {
    const value = this.value(name);
    return Object.values(values).includes(value as E) ? (value as E) : this.fail(name, `one of ${Object.values(values).join(', ')}`);
  }

  oneOfOrNull<E extends string>(name: string, values: Readonly<Record<string, E>>): E | null {
    return this.isNull(name) ? null : this.oneOf(name, values);
  }

  /** An integer: int4 arrives as a number, int8 (`count(*)`) as text. */
  int(name: string): number {
    const value = this.value(name);
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
    return Number.isSafeInteger(n) ? n : this.fail(name, 'an integer');
  }

  intOrNull(name: string): number | null {
    return this.isNull(name) ? null : this.int(name);
  }

  /** A measure that is no money (hours, a median of days): double precision or numeric. */
  number(name: string): number {
    const value = this.value(name);
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    return Number.isFinite(n) ? n : this.fail(name, 'a number');
  }

  numberOrNull(name: string): number | null {
    return this.isNull(name) ? null : this.number(name);
  }

  /** An int8 kept as decimal text (event sequence numbers outgrow a double). */
  bigintText(name: string): string {
    const value = this.value(name);
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
    return typeof value === 'string' && /^-?\d+$/.test(value) ? value : this.fail(name, 'an integer');
  }

  bool(name: string): boolean {
    const value = this.value(name);
    return typeof value === 'boolean' ? value : this.fail(name, 'a boolean');
  }

  /** Money: a numeric column, exact. */
  cents(name: string): Cents {
    const value = this.value(name);
    return typeof value === 'string' || typeof value === 'number' ? centsFromNumeric(value) : this.fail(name, 'a numeric');
  }

  /** Money to show, not to compute with: the numeric's text in the wire form (no cents). */
  moneyText(name: string): MoneyText {
    const value = this.value(name);
    return typeof value === 'string' || typeof value === 'number' ? moneyTextFromNumeric(value) : this.fail(name, 'a numeric');
  }

  /**
   * A business date: the driver hands `date` columns over as `YYYY-MM-DD` text. Any real
   * date: stored ones derived from accepted ones may lie past the API's input range.
   */
  date(name: string): LocalDate {
    const value = this.value(name);
    return isCalendarDate(value) ? value : this.fail(name, 'a date (YYYY-MM-DD)');
  }

  /** An instant from a `timestamptz` column (the driver hands it over as text). */
  timestamp(name: string): Date {
    const value = this.value(name);
    const date = typeof value === 'string' || value instanceof Date ? new Date(value) : undefined;
    return date && !Number.isNaN(date.getTime()) ? date : this.fail(name, 'a timestamp');
  }

  /** An instant selected as milliseconds since the epoch (`extract(epoch …) * 1000`). */
  epochMs(name: string): Date {
    return new Date(this.int(name));
  }

  epochMsOrNull(name: string): Date | null {
    return this.isNull(name) ? null : this.epochMs(name);
  }

  /** A `json`/`jsonb` column, parsed by the driver. */
  json(name: string): unknown {
    const value = this.value(name);
    return value === null || value === undefined ? this.fail(name, 'json') : value;
  }
}

// ── Queries and statements ──────────────────────────────────────────────────────

export interface QueryDefinition<R> {
  /** SQL with `:name` parameters. */
  text: string;
  /** One row into the row type; `em` for rows that are entities (`em.map(Entity, row.raw)`). */
  decode: (row: SqlRow, em: EntityManager) => R;
}

export interface Query<P, R> {
  readonly text: string;
  /** Every row. */
  all(em: EntityManager, ...params: ParamsArg<P>): Promise<R[]>;
  /** Exactly one row (an aggregate, a `returning` of one insert); anything else is a bug. */
  one(em: EntityManager, ...params: ParamsArg<P>): Promise<R>;
  /** The row if there is one; more than one is a bug. */
  maybeOne(em: EntityManager, ...params: ParamsArg<P>): Promise<R | undefined>;
}

export interface Statement<P> {
  readonly text: string;
  /** Runs an insert, update or delete without rows to read; answers the number of rows it touched. */
  run(em: EntityManager, ...params: ParamsArg<P>): Promise<number>;
}

/** A query that reads rows. Define it once at module level; its text is parsed once. */
export function defineQuery<P extends SqlParams<P>, R>(definition: QueryDefinition<R>): Query<P, R> {
  const segments = parseSql(definition.text);
  const all = async (em: EntityManager, params?: P): Promise<R[]> => {
    const { text, values } = compileSql(segments, params ?? {});
    const rows: Record<string, unknown>[] = await em.execute(text, values, 'all');
    return rows.map((raw) => definition.decode(new SqlRow(raw), em));
  };
  return {
    text: definition.text,
    all: (em, ...params) => all(em, params[0]),
    async one(em, ...params) {
      const rows = await all(em, params[0]);
      if (rows.length !== 1) throw new Error(`SQL query expected one row, got ${rows.length}`);
      return rows[0];
    },
    async maybeOne(em, ...params) {
      const rows = await all(em, params[0]);
      if (rows.length > 1) throw new Error(`SQL query expected at most one row, got ${rows.length}`);
      return rows[0];
    },
  };
}

/** A statement that changes rows and reads none back. */
export function defineStatement<P extends SqlParams<P>>(definition: { text: string }): Statement<P> {
  const segments = parseSql(definition.text);
  return {
    text: definition.text,
    async run(em, ...params) {
      const { text, values } = compileSql(segments, params[0] ?? {});
      const result: { affectedRows: number } = await em.execute(text, values, 'run');
      return result.affectedRows;
    },
  };
}

/** Longest `search` of a list filter: a search is a few words, and ILIKE's cost grows with the pattern. */
export const MAX_SEARCH_LENGTH = 100;

/** A filter's search text, trimmed; undefined when blank; longer than MAX_SEARCH_LENGTH is refused. */
export function searchText(search: string | null | undefined, field = 'filter.search'): string | undefined {
  if (search === null || search === undefined) return undefined;
  if (search.length > MAX_SEARCH_LENGTH) {
    throw badInput(field, `${field} must have at most ${MAX_SEARCH_LENGTH} characters`, CoreErrorReason.TEXT_LENGTH);
  }
  return search.trim() || undefined;
}
