/**
 * The business calendar in the database: overrides (holidays, make-up working days)
 * and the effective due dates that depend on them. Changing a day recomputes, in the
 * same transaction, the effective due date of every receivable whose roll-forward
 * passes over that day.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { BusinessCalendar, DayKind } from '../../core/business-calendar';
import { assertDateRange, datesFrom, isoWeekday, type LocalDate } from '../../core/local-date';
import { badInput } from '../../core/errors';
import { pgArray } from '../../db/sql';
import { CalendarDayOverride } from './calendar-day.entity';
import { CalendarDay } from './calendar.types';

/** Longest calendar(from, to) answer: a whole (leap) year. */
export const CALENDAR_MAX_DAYS = 366;
const UPDATE_CHUNK = 2000;

export async function loadBusinessCalendar(em: EntityManager): Promise<BusinessCalendar> {
  const rows = await em.find(CalendarDayOverride, {});
  return new BusinessCalendar(new Map(rows.map((r) => [r.day, r.kind])));
}

/**
 * Recomputes `effective_due_on` for the receivables matched by `where` (SQL over alias r).
 * Rows are read and written in chunks so even a full recompute stays bounded in memory.
 */
export async function recomputeEffectiveDueDates(
  em: EntityManager,
  calendar: BusinessCalendar,
  graceWorkingDays: number,
  where: { sql: string; params: unknown[] },
): Promise<number> {
  let updated = 0;
  let afterId = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows: { id: string; due_on: string; effective_due_on: string }[] = await em.execute(
      `select r.id, r.due_on, r.effective_due_on from receivable r where (${where.sql}) and r.id > ? order by r.id limit ${UPDATE_CHUNK}`,
      [...where.params, afterId],
    );
    if (rows.length === 0) return updated;
    afterId = rows[rows.length - 1].id;
    const changed = rows
      .map((r) => ({ id: r.id, effective: calendar.effectiveDueOn(r.due_on, graceWorkingDays), old: r.effective_due_on }))
      .filter((r) => r.effective !== r.old);
    if (changed.length > 0) {
      await em.execute(
        `update receivable r set effective_due_on = v.effective::date
           from (select unnest(?::uuid[]) as id, unnest(?::text[]) as effective) v
          where r.id = v.id`,
        [pgArray(changed.map((c) => c.id)), pgArray(changed.map((c) => c.effective))],
      );
      updated += changed.length;
    }
  }
}

export class CalendarService {
  constructor(
    private readonly em: EntityManager,
    private readonly graceWorkingDays: number,
  ) {}

  load(): Promise<BusinessCalendar> {
    return loadBusinessCalendar(this.em);
  }

  async days(from: LocalDate, to: LocalDate): Promise<CalendarDay[]> {
    assertDateRange(from, to, { maxDays: CALENDAR_MAX_DAYS });
    const overrides = await this.em.find(CalendarDayOverride, { day: { $gte: from, $lte: to } });
    const byDay = new Map(overrides.map((o) => [o.day, o]));
    const calendar = new BusinessCalendar(new Map(overrides.map((o) => [o.day, o.kind])));
    return datesFrom(from, to, CALENDAR_MAX_DAYS).map((d) => {
      const o = byDay.get(d);
      return { date: d, working: calendar.isWorkingDay(d), weekend: isoWeekday(d) >= 6, kind: o?.kind ?? null, name: o?.name ?? null };
    });
  }

  /** Sets (kind given) or clears (kind null) the override of one day. */
  async setDay(date: LocalDate, kind: DayKind | null, name: string | null | undefined): Promise<CalendarDay> {
    const trimmedName = name?.trim() || null;
    if (trimmedName && trimmedName.length > 100) throw badInput('name', 'name must have at most 100 characters');
    await this.em.transactional(async (em) => {
      // Serialise calendar changes so two of them cannot recompute from stale overrides.
      await em.execute(`select pg_advisory_xact_lock(hashtext('calendar_day'))`);
      if (kind) {
        await em.execute(
          `insert into calendar_day (day, kind, name, updated_at) values (?, ?, ?, now())
           on conflict (day) do update set kind = excluded.kind, name = excluded.name, updated_at = now()`,
          [date, kind, trimmedName],
        );
      } else {
        await em.execute('delete from calendar_day where day = ?', [date]);
      }
      const calendar = await loadBusinessCalendar(em);
      // Only a roll-forward that reaches this day can change: due on or before it, effective on or after it.
      await recomputeEffectiveDueDates(em, calendar, this.graceWorkingDays, {
        sql: 'r.due_on <= ?::date and r.effective_due_on >= ?::date',
        params: [date, date],
      });
    });
    const [day] = await this.days(date, date);
    return day;
  }
}

/**
 * Effective due dates are stored, so a changed GRACE_WORKING_DAYS must recompute them
 * all once at start-up. The grace they were computed with is kept in app_setting.
 */
export async function syncGraceWorkingDays(em: EntityManager, graceWorkingDays: number): Promise<number> {
  return em.transactional(async (tem) => {
    await tem.execute(`select pg_advisory_xact_lock(hashtext('calendar_day'))`);
    const rows: { value: string }[] = await tem.execute(`select value from app_setting where key = 'grace_working_days'`);
    if (rows[0]?.value === String(graceWorkingDays)) return 0;
    const updated = rows.length
      ? await recomputeEffectiveDueDates(tem, await loadBusinessCalendar(tem), graceWorkingDays, { sql: 'true', params: [] })
      : 0;
    await tem.execute(
      `insert into app_setting (key, value) values ('grace_working_days', ?)
       on conflict (key) do update set value = excluded.value`,
      [String(graceWorkingDays)],
    );
    return updated;
  });
}
