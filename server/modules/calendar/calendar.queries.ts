/**
 * The calendar area's SQL: day overrides, the grace the stored effective due dates were
 * computed with, and reading and rewriting effective due dates in chunks.
 */
import { defineQuery, defineStatement, NoParams, Where } from '../../db/sql';
import { type LocalDate } from '../../core/local-date';
import { DayKind } from '../../core/business-calendar';

export const UPSERT_DAY = defineStatement<{ day: LocalDate; kind: DayKind; name: string | null }>({
  text: `insert into calendar_day (day, kind, name, updated_at) values (:day, :kind, :name, now())
           on conflict (day) do update set kind = excluded.kind, name = excluded.name, updated_at = now()`,
});

export const DELETE_DAY = defineStatement<{ day: LocalDate }>({
  text: 'delete from calendar_day where day = :day',
});

/** Receivables whose roll-forward reaches `day`: due on or before it, effective on or after it. */
export function rollingOverDay(day: LocalDate): Where {
  return new Where().add('r.due_on <= cast(:day as date) and r.effective_due_on >= cast(:day as date)', { day });
}

/** Every receivable (a changed grace moves them all). */
export function everyReceivable(): Where {
  return new Where();
}

/** The next chunk of receivables matched by `where` (over alias r), by id after `afterId`. */
export const DUE_DATES_CHUNK = defineQuery<{ where: Where; afterId: string; limit: number }, { id: string; dueOn: LocalDate; effectiveDueOn: LocalDate }>({
  text: 'select r.id, r.due_on, r.effective_due_on from receivable r where :where and r.id > :afterId order by r.id limit :limit',
  decode: (row) => ({ id: row.text('id'), dueOn: row.date('due_on'), effectiveDueOn: row.date('effective_due_on') }),
});

/** Sets each receivable's effective due date; `ids` and `effectiveDueOn` pair up by position. */
export const SET_EFFECTIVE_DUE_DATES = defineStatement<{ ids: readonly string[]; effectiveDueOn: readonly LocalDate[] }>({
  text: `update receivable r set effective_due_on = v.effective::date
           from (select unnest(cast(:ids as uuid[])) as id, unnest(cast(:effectiveDueOn as text[])) as effective) v
          where r.id = v.id`,
});

/** The grace the stored effective due dates were computed with; no row before the first start. */
export const STORED_GRACE = defineQuery<NoParams, string>({
  text: `select value from app_setting where key = 'grace_working_days'`,
  decode: (row) => row.text('value'),
});

export const SAVE_GRACE = defineStatement<{ value: string }>({
  text: `insert into app_setting (key, value) values ('grace_working_days', :value)
       on conflict (key) do update set value = excluded.value`,
});
