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
  // Asked several times per request (and formatting a date in a zone costs ~10 µs): worked
  // out once per second, which is exact, as a zone's midnight falls on a whole second.
  let second = Number.NaN;
  let date = '';
  return {
    now: () => new Date(),
    today: () => {
      const now = Date.now();
      if (Math.floor(now / 1000) !== second) {
        second = Math.floor(now / 1000);
        date = localDateAt(new Date(now), timeZone);
      }
      return date;
    },
  };
}

/**
 * A clock whose calendar date is fixed (CLOCK_DATE) while time of day runs on: for
 * demos and tests that must book "on 4 January". Instants are that date in the company
 * time zone at the current time of day.
 */
export function fixedDateClock(date: LocalDate, timeZone: string): Clock {
  return {
    today: () => date,
    now: () => {
      const real = new Date();
      const realLocal = localDateAt(real, timeZone);
      const shiftDays = (Date.parse(`${date}T00:00:00Z`) - Date.parse(`${realLocal}T00:00:00Z`)) / 86_400_000;
      return new Date(real.getTime() + shiftDays * 86_400_000);
    },
  };
}

export function clockFor(config: { clockDate?: string; timeZone: string }): Clock {
  return config.clockDate ? fixedDateClock(config.clockDate, config.timeZone) : systemClock(config.timeZone);
}
