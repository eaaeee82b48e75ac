/**
 * Calendar periods used by goals, feedback and the weekly analysis, defined once: a
 * week starts on a Monday (ISO 8601), a month on the 1st, a quarter on 1 January,
 * April, July or October.
 */
import { addDays, isoWeekday, type LocalDate } from './local-date';

export type PeriodKind = 'WEEK' | 'MONTH' | 'QUARTER';

/** The Monday of the ISO week holding `date`. */
export function mondayOf(date: LocalDate): LocalDate {
  return addDays(date, 1 - isoWeekday(date));
}

/** Whether a period of this kind can start on `start`. */
export function isPeriodStart(kind: PeriodKind, start: LocalDate): boolean {
  const [month, day] = [Number(start.slice(5, 7)), Number(start.slice(8, 10))];
  switch (kind) {
    case 'WEEK':
      return isoWeekday(start) === 1;
    case 'MONTH':
      return day === 1;
    case 'QUARTER':
      return day === 1 && (month - 1) % 3 === 0;
  }
}

/** Last day of the period starting on `start`; undefined when `start` cannot begin such a period. */
export function periodEnd(kind: PeriodKind, start: LocalDate): LocalDate | undefined {
  if (!isPeriodStart(kind, start)) return undefined;
  if (kind === 'WEEK') return addDays(start, 6);
  const [year, month] = [Number(start.slice(0, 4)), Number(start.slice(5, 7))];
  const months = kind === 'MONTH' ? 1 : 3;
  // Day 0 of the month after the period is its last day.
  return new Date(Date.UTC(year, month - 1 + months, 0)).toISOString().slice(0, 10);
}

/** What a valid start of the period is, in words for error messages. */
export const PERIOD_START_RULE: Record<PeriodKind, string> = {
  WEEK: 'a WEEK starts on a Monday',
  MONTH: 'a MONTH starts on the 1st',
  QUARTER: 'a QUARTER starts on 1 January, April, July or October',
};
