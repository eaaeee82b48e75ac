/**
 * The business calendar: which days are working days. Weekends are off unless marked
 * WORKDAY (make-up working days), listed HOLIDAYs are off. Pure: built from the overrides
 * stored in `calendar_day`, so the rules are unit-testable without a database.
 */
import { addDays, fromDayNumber, isoWeekday, type LocalDate, toDayNumber } from './local-date';

export enum DayKind {
  WORKDAY = 'WORKDAY',
  HOLIDAY = 'HOLIDAY',
}

/** Guards loops against a calendar with no working day at all. */
const MAX_SCAN_DAYS = 3660;

export class BusinessCalendar {
  constructor(private readonly overrides: ReadonlyMap<LocalDate, DayKind> = new Map()) {}

  isWorkingDay(date: LocalDate): boolean {
    const override = this.overrides.get(date);
    if (override) return override === DayKind.WORKDAY;
    return isoWeekday(date) <= 5;
  }

  /** The date itself when it is a working day, else the next working day after it. */
  rollForward(date: LocalDate): LocalDate {
    let d = date;
    for (let i = 0; i < MAX_SCAN_DAYS && !this.isWorkingDay(d); i++) d = addDays(d, 1);
    return d;
  }

  /** The `n`-th working day after `date` (n = 0 returns `date`). */
  addWorkingDays(date: LocalDate, n: number): LocalDate {
    let d = date;
    for (let left = n, guard = 0; left > 0 && guard < MAX_SCAN_DAYS; guard++) {
      d = addDays(d, 1);
      if (this.isWorkingDay(d)) left--;
    }
    return d;
  }

  /**
   * Effective due date: the due date rolled forward to a working day, plus the grace
   * period counted in working days (DESIGN.md, "Business calendar").
   */
  effectiveDueOn(dueOn: LocalDate, graceWorkingDays: number): LocalDate {
    return this.addWorkingDays(this.rollForward(dueOn), graceWorkingDays);
  }

  /**
   * Working days strictly after `from` up to and including `to`: money received on a
   * Friday and booked the next Monday is 1 working day late, booked the same day 0.
   */
  workingDaysAfter(from: LocalDate, to: LocalDate): number {
    let count = 0;
    const last = Math.min(toDayNumber(to), toDayNumber(from) + MAX_SCAN_DAYS);
    for (let day = toDayNumber(from) + 1; day <= last; day++) {
      if (this.isWorkingDay(fromDayNumber(day))) count++;
    }
    return count;
  }
}
