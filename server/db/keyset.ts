/**
 * Keyset pagination over raw SQL, decoded to plain rows (or hydrated to entities where a
 * list's nodes are written to): one statement for the page, with the total when it is
 * asked for, whatever the page size. The areas' queries files describe a list
 * (its `from`, filter and sort keys); this builds and runs the two statements.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { EntityName } from '@mikro-orm/core';
import { badInput, CoreErrorReason } from '../core/errors';
import { textProblem } from '../core/input-guards';
import { isCalendarDate } from '../core/local-date';
import { CursorValues, decodeCursor, encodeCursor, Page } from '../core/pagination';
import { defineQuery, isUuid, type SqlParam, type SqlRow, Where } from './sql';

/** Casts a sort key may use; a cursor value must fit its cast before it is sent to PostgreSQL. */
export type KeyCast = 'date' | 'uuid' | 'text' | 'timestamptz';

/** An instant as a cursor holds it: ISO 8601 in UTC with milliseconds (`Date.toISOString()`). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const MAX_CURSOR_TEXT = 1000;

function fitsCast(value: string | number, cast: KeyCast): boolean {
  if (typeof value !== 'string') return false;
  switch (cast) {
    case 'date':
      return isCalendarDate(value);
    case 'uuid':
      return isUuid(value);
    case 'text':
      return textProblem(value, MAX_CURSOR_TEXT) === undefined;
    case 'timestamptz':
      return ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value));
  }
}

/**
 * The values of a cursor for sort keys of these casts. A forged cursor (values that
 * PostgreSQL could not cast, or that no row could have) is refused as bad input on
 * `after`, never passed on to fail in the database.
 */
export function decodeKeysetCursor(after: string | null | undefined, casts: readonly KeyCast[]): CursorValues | undefined {
  const values = decodeCursor(after, casts.length);
  if (values && !values.every((v, i) => fitsCast(v, casts[i]))) {
    throw badInput('after', 'after is not a cursor returned by this list', CoreErrorReason.INVALID_CURSOR);
  }
  return values;
}

export interface SortKey<T> {
  /** Column expression, e.g. `r.due_on`. */
  column: string;
  /** Cast applied to the cursor value, e.g. `date`. */
  cast: KeyCast;
  value: (row: T) => string | number;
}

/** How a list's rows become its nodes: plain rows through a decoder, or entities. */
export type KeysetRows<T> =
  | {
      /** The select list the decoder reads, e.g. `r.id, r.reference, …`. */
      columns: string;
      /** One row into the node type: no entity. */
      decode: (row: SqlRow) => T;
    }
  | {
      /** Rows hydrated into managed entities of this class (lists whose nodes are written to). */
      entity: EntityName<T>;
      /** Table alias of the entity's table, whose columns are selected, e.g. `p`. */
      alias: string;
    };

export type KeysetQuery<T> = KeysetRows<T> & {
  /** `from … join …` part, without `where`: what is filtered, counted and paged. */
  from: string;
  where: Where;
  /** Sort keys; all in the same direction, the last one unique. */
  keys: SortKey<T>[];
  descending?: boolean;
  first: number;
  after?: string | null;
  /** Count the rows matching `where` (the connection's totalCount); false when nobody asked. */
  count: boolean;
  /** Joined for the page's columns only, never for the count (e.g. the owner of each row). */
  join?: string;
  /** Parameters the columns or the join use, e.g. `:today`. */
  params?: Readonly<Record<string, SqlParam>>;
};

/**
 * One statement for the page, with the count as a column (an uncorrelated subquery runs
 * once) when it is asked for; a second one only when a counted page comes back empty.
 */
export async function keysetPage<T extends object>(em: EntityManager, q: KeysetQuery<T>): Promise<Page<T>> {
  const after = decodeKeysetCursor(
    q.after,
    q.keys.map((k) => k.cast),
  );
  const where = new Where().add(':filter', { filter: q.where });
  const op = q.descending ? '<' : '>';
  if (after) {
    const cursor: Record<string, SqlParam> = {};
    after.forEach((value, i) => (cursor[`key${i}`] = value));
    where.add(`(${q.keys.map((k) => k.column).join(', ')}) ${op} (${q.keys.map((k, i) => `cast(:key${i} as ${k.cast})`).join(', ')})`, cursor);
  }
  const dir = q.descending ? 'desc' : 'asc';
  const columns = 'columns' in q ? q.columns : `${q.alias}.*`;
  const counted = q.count ? `, (select count(*) ${q.from} where :filter) as hk_total` : '';
  // Also for first = 0: the one extra row tells whether a next page exists (Relay).
  const rows = await defineQuery<Record<string, SqlParam>, SqlRow>({
    text: `select ${columns}${counted} ${q.from} ${q.join ?? ''} where :where
     order by ${q.keys.map((k) => `${k.column} ${dir}`).join(', ')} limit :limit`,
    // Decoded below, the extra row excepted.
    decode: (row) => row,
  }).all(em, { ...q.params, where, limit: q.first + 1, ...(q.count ? { filter: q.where } : {}) });
  let totalCount: number | undefined;
  if (q.count && rows.length > 0) totalCount = rows[0].int('hk_total');
  else if (q.count) {
    totalCount = await defineQuery<{ where: Where }, number>({
      text: `select count(*) as n ${q.from} where :where`,
      decode: (row) => row.int('n'),
    }).one(em, { where: q.where });
  }
  const page = rows.slice(0, q.first);
  const nodes = 'decode' in q ? page.map((row) => q.decode(row)) : page.map((row) => em.map(q.entity, row.raw as never));
  return {
    nodes,
    hasNextPage: rows.length > q.first,
    totalCount,
    cursorOf: (node: T): string => encodeCursor(q.keys.map<string | number>((k) => k.value(node))),
  };
}
