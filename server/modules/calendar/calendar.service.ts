/**
 * The business calendar in the database: overrides (holidays, make-up working days)
 * and the effective due dates that depend on them. Changing a day recomputes, in the
 * same transaction, the effective due date of every receivable whose roll-forward
 * passes over that day.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { BusinessCalendar, DayKind } from '../../core/business-calendar';
import { type LedgerEvents } from '../../core/ledger-events';
import { isoWeekday, type LocalDate, assertDateRange, datesFrom } from '../../core/local-date';
import { badInput, CoreErrorReason } from '../../core/errors';
import { type Where } from '../../db/sql';
import { CalendarDayOverride } from './calendar-day.entity';
import { lockForTransaction } from '../../db/locks';
import { ExtensionPoint } from '../../core/extension-points';
import { CalendarDay } from './calendar.types';
import {
  DELETE_DAY,
  DUE_DATES_CHUNK,
  everyReceivable,
  rollingOverDay,
  SAVE_GRACE,
  SET_EFFECTIVE_DUE_DATES,
  STORED_GRACE,
  UPSERT_DAY,
} from './calendar.queries';

/** What a calendar change participant is given: the change's transaction, the new calendar and the day changed. */
export interface CalendarChangeRun {
  em: EntityManager;
  calendar: BusinessCalendar;
  day: LocalDate;
}

/**
 * Work a higher area does with every calendar change, in its transaction (the promises
 * area re-rolls promised dates). Answers the receivables whose judgement the change may
 * move; they are announced with those whose effective due date moved.
 */
export interface CalendarChangeParticipant {
  afterCalendarChange(run: CalendarChangeRun): Promise<string[]>;
}

/** Higher areas add their participants here in their `setup`. */
export const CALENDAR_CHANGE_PARTICIPANTS = new ExtensionPoint<CalendarChangeParticipant>('calendar.changeParticipants');

/** Longest calendar(from, to) answer: a whole (leap) year. */
export const CALENDAR_MAX_DAYS = 366;
const UPDATE_CHUNK = 2000;

export async function loadBusinessCalendar(em: EntityManager): Promise<BusinessCalendar> {
  const rows = await em.find(CalendarDayOverride, {});
  return new BusinessCalendar(new Map(rows.map((r) => [r.day, r.kind])));
}

/**
 * Recomputes `effective_due_on` for the receivables matched by `where` (SQL over alias r).
 * Rows are read and written in chunks so even a full recompute stays bounded in memory;
 * `changed`, when given, collects the ids of the receivables whose date moved.
 */
export async function recomputeEffectiveDueDates(
  em: EntityManager,
  calendar: BusinessCalendar,
  graceWorkingDays: number,
  where: Where,
  changed?: string[],
): Promise<number> {
  let updated = 0;
  let afterId = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await DUE_DATES_CHUNK.all(em, { where, afterId, limit: UPDATE_CHUNK });
    if (rows.length === 0) return updated;
    afterId = rows[rows.length - 1].id;
    const moved = rows
      .map((r) => ({ id: r.id, effective: calendar.effectiveDueOn(r.dueOn, graceWorkingDays), old: r.effectiveDueOn }))
      .filter((r) => r.effective !== r.old);
    if (moved.length > 0) {
      await SET_EFFECTIVE_DUE_DATES.run(em, { ids: moved.map((c) => c.id), effectiveDueOn: moved.map((c) => c.effective) });
      updated += moved.length;
      changed?.push(...moved.map((c) => c.id));
    }
  }
}

export class CalendarService {
  constructor(
    private readonly em: EntityManager,
    private readonly graceWorkingDays: number,
    private readonly events: LedgerEvents,
    /** The participants plugged into CALENDAR_CHANGE_PARTICIPANTS (a live list). */
    private readonly participants: readonly CalendarChangeParticipant[] = [],
  ) {}

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

  /**
   * Sets (kind given) or clears (kind null) the override of one day. The receivables
   * whose effective due date moved are judged again at once (a ledger event), not at the
   * next scan.
   */
  async setDay(date: LocalDate, kind: DayKind | null, name: string | null | undefined): Promise<CalendarDay> {
    const trimmedName = name?.trim() || null;
    if (trimmedName && trimmedName.length > 100) throw badInput('name', 'name must have at most 100 characters', CoreErrorReason.TEXT_LENGTH);
    const moved: string[] = [];
    await this.em.transactional(async (em) => {
      // Serialise calendar changes so two of them cannot recompute from stale overrides.
      await lockForTransaction(em, 'calendar_day');
      if (kind) await UPSERT_DAY.run(em, { day: date, kind, name: trimmedName });
      else await DELETE_DAY.run(em, { day: date });
      const calendar = await loadBusinessCalendar(em);
      // Only a roll-forward that reaches this day can change.
      await recomputeEffectiveDueDates(em, calendar, this.graceWorkingDays, rollingOverDay(date), moved);
      for (const participant of this.participants) moved.push(...(await participant.afterCalendarChange({ em, calendar, day: date })));
    });
    await this.events.receivablesChanged([...new Set(moved)]);
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
    await lockForTransaction(tem, 'calendar_day');
    const stored = await STORED_GRACE.maybeOne(tem);
    if (stored === String(graceWorkingDays)) return 0;
    const updated = stored !== undefined ? await recomputeEffectiveDueDates(tem, await loadBusinessCalendar(tem), graceWorkingDays, everyReceivable()) : 0;
    await SAVE_GRACE.run(tem, { value: String(graceWorkingDays) });
    return updated;
  });
}
