/**
 * The clock: "now" and "today in the company time zone". Services ask the clock, never
 * `new Date()`, so the meaning of "today" is defined in one place.
 */
import { type LocalDate, localDateAt } from './local-date';

export interface Clock {
  now(): Date;
  today(): LocalDate;
}

export function systemClock(timeZone: string): Clock {
  return {
    now: () => new Date(),
    today: () => localDateAt(new Date(), timeZone),
  };
}
