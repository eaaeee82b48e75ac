/** WEEKLY_ANALYSIS_AT: when the weekly analysis of the past week is stored. Pure (read by config.ts). */
import { addDays, isAfter, type LocalDate } from './local-date';
import { mondayOf } from './periods';

export interface WeeklySchedule {
  /** ISO weekday, 1 = Monday. */
  weekday: number;
  /** Minutes after midnight, company time zone. */
  minute: number;
}

const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

/** `MON 00:00` … `SUN 23:59`, or `off`; pushes a message to `problems` when malformed. */
export function parseWeeklySchedule(raw: string | undefined, problems: string[]): WeeklySchedule | null {
  const text = (raw ?? 'MON 00:00').trim().toUpperCase();
  if (text === 'OFF' || text === '0') return null;
  const m = /^([A-Z]{3})\s+(\d{2}):(\d{2})$/.exec(text);
  const weekday = m ? WEEKDAYS.indexOf(m[1]) + 1 : 0;
  if (!m || weekday === 0 || Number(m[2]) > 23 || Number(m[3]) > 59) {
    problems.push(`WEEKLY_ANALYSIS_AT must be a weekday and time like "MON 00:00", or "off" (got "${raw}")`);
    return null;
  }
  return { weekday, minute: Number(m[2]) * 60 + Number(m[3]) };
}

/**
 * The Monday of the latest week whose snapshot is due at (today, minute): a week is due
 * at `schedule` in the week after it.
 */
export function dueWeekStart(today: LocalDate, minute: number, schedule: WeeklySchedule): LocalDate {
  const lastWeek = addDays(mondayOf(today), -7);
  const dueOn = addDays(lastWeek, 7 + schedule.weekday - 1);
  const reached = isAfter(today, dueOn) || (today === dueOn && minute >= schedule.minute);
  return reached ? lastWeek : addDays(lastWeek, -7);
}
