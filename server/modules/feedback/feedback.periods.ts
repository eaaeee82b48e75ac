/**
 * Period rules of the feedback area, free of the ORM and GraphQL so they are unit-tested
 * directly: what a valid period start is, and which window a summary is compared with.
 */
import { badInput, CoreErrorReason } from '../../core/errors';
import { addDays, daysBetween, type LocalDate, isAfter } from '../../core/local-date';
import { isPeriodStart, PERIOD_START_RULE } from '../../core/periods';
import { FeedbackPeriod } from './feedback.enums';

/** A period start is a Monday (WEEK) or the 1st (MONTH), and not after today. */
export function validatePeriodStart(period: FeedbackPeriod, periodStart: LocalDate, today: LocalDate, field: string): void {
  if (!isPeriodStart(period, periodStart)) {
    throw badInput(field, `${PERIOD_START_RULE[period]}; ${periodStart} is not one`, CoreErrorReason.PERIOD_START_INVALID);
  }
  if (isAfter(periodStart, today)) throw badInput(field, 'The period must not start in the future', CoreErrorReason.DATE_IN_FUTURE);
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
