/** Small helpers for raw SQL sent through MikroORM (knex placeholders: `?`). */
import { badInput } from '../core/errors';

/**
 * A PostgreSQL array literal for text-like values (uuid, date, text). Knex would expand a
 * JS array binding into a list of placeholders, so arrays travel as one literal and
 * are cast in SQL: `unnest(?::uuid[])`.
 */
export function pgArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether an id from a client can name a row: PostgreSQL rejects other strings compared with a uuid column. */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** Conjunction of SQL conditions with their `?` parameters, built up step by step. */
export class Where {
  readonly clauses: string[] = [];
  readonly params: unknown[] = [];

  add(clause: string, ...params: unknown[]): this {
    this.clauses.push(clause);
    this.params.push(...params);
    return this;
  }

  /** `column = id` on a uuid column; an id that is no uuid matches no row instead of failing. */
  addIdEquals(column: string, id: string): this {
    return isUuid(id) ? this.add(`${column} = ?`, id) : this.add('false');
  }

  get sql(): string {
    return this.clauses.length ? this.clauses.map((c) => `(${c})`).join(' and ') : 'true';
  }
}

/** An ILIKE pattern matching `text` anywhere, with LIKE wildcards in it taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Longest `search` of a list filter: a search is a few words, and ILIKE's cost grows with the pattern. */
export const MAX_SEARCH_LENGTH = 100;

/** A filter's search text, trimmed; undefined when blank; longer than MAX_SEARCH_LENGTH is refused. */
export function searchText(search: string | null | undefined, field = 'filter.search'): string | undefined {
  if (search === null || search === undefined) return undefined;
  if (search.length > MAX_SEARCH_LENGTH) {
    throw badInput(field, `${field} must have at most ${MAX_SEARCH_LENGTH} characters`, 'STRING_TOO_LONG');
  }
  return search.trim() || undefined;
}
