/**
 * Period rules of the feedback area, free of the ORM and GraphQL so they are unit-tested
 * directly: what a valid period start is, and which window a summary is compared with.
 */
import { badInput } from '../../core/errors';
import { addDays, daysBetween, isAfter, isoWeekday, type LocalDate } from '../../core/local-date';
import { FeedbackPeriod } from './feedback.enums';

/** A period start is a Monday (WEEK) or the 1st (MONTH), and not after today. */
export function validatePeriodStart(period: FeedbackPeriod, periodStart: LocalDate, today: LocalDate, field: string): void {
  if (period === FeedbackPeriod.WEEK && isoWeekday(periodStart) !== 1) {
    throw badInput(field, `A WEEK starts on a Monday; ${periodStart} is not one`, 'PERIOD_START_NOT_MONDAY');
  }
  if (period === FeedbackPeriod.MONTH && !periodStart.endsWith('-01')) {
    throw badInput(field, `A MONTH starts on the 1st; ${periodStart} is not`, 'PERIOD_START_NOT_FIRST');
  }
  if (isAfter(periodStart, today)) throw badInput(field, 'The period must not start in the future', 'DATE_IN_FUTURE');
}

/**
 * The window compared with [from, to]: whole calendar months are compared with the same
 * number of months before (November with October), anything else with the same number
 * of days before (a week with the week before).
 */
export function previousWindow(from: LocalDate, to: LocalDate): { previousFrom: LocalDate; previousTo: LocalDate } {
  const previousTo = addDays(from, -1);
  if (from.endsWith('-01') && addDays(to, 1).endsWith('-01')) {
    const months = (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7)) + 1;
    const start = new Date(`${from}T00:00:00Z`);
    start.setUTCMonth(start.getUTCMonth() - months);
    return { previousFrom: start.toISOString().slice(0, 10), previousTo };
  }
  return { previousFrom: addDays(from, -(daysBetween(from, to) + 1)), previousTo };
}
