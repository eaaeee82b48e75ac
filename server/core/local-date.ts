/**
 * LocalDate: a calendar date ("YYYY-MM-DD") with no time and no zone. Business dates
 * (issued, due, received) are LocalDates in the company's time zone.
 *
 * Arithmetic and comparison work on day numbers (days since 1970-01-01, proleptic
 * Gregorian), never on the text: "+010000-01-01" sorts before "9999-12-31" as text,
 * which once let a date loop run until the process ran out of memory.
 *
 * Two ranges, on purpose:
 * - the API accepts dates from MIN_LOCAL_DATE to MAX_LOCAL_DATE (1900–2200): anything
 *   else is a typo or an attack, refused by the LocalDate scalar;
 * - arithmetic works on four-digit years (0001–9999), where every date prints as
 *   YYYY-MM-DD. Dates derived from accepted ones (a due date ten years after an issue
 *   date, the window before a statistics window) stay far inside it, so a result
 *   outside it is a programming error and throws a RangeError.
 */
import { badInput, CoreErrorReason } from './errors';

export type LocalDate = string;

/** Days since 1970-01-01; one per calendar day, so `b - a` is the distance in days. */
export type DayNumber = number;

export const MIN_LOCAL_DATE: LocalDate = '1900-01-01';
export const MAX_LOCAL_DATE: LocalDate = '2200-12-31';

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Howard Hinnant's days_from_civil: exact integer arithmetic, no Date and its two-digit-year quirks. */
function dayNumberOfCivil(year: number, month: number, day: number): DayNumber {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function civilOfDayNumber(dayNumber: DayNumber): [number, number, number] {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [month <= 2 ? yearOfEra + era * 400 + 1 : yearOfEra + era * 400, month, day];
}

const FIRST_DAY = dayNumberOfCivil(1, 1, 1);
const LAST_DAY = dayNumberOfCivil(9999, 12, 31);
const MIN_DAY = dayNumberOfCivil(1900, 1, 1);
const MAX_DAY = dayNumberOfCivil(2200, 12, 31);

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The day number of a real date written YYYY-MM-DD (years 0001–9999), else undefined. */
function parseDayNumber(value: unknown): DayNumber | undefined {
  if (typeof value !== 'string') return undefined;
  const m = DATE_PATTERN.exec(value);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  return dayNumberOfCivil(y, mo, d);
}

export type DateProblem = 'INVALID_DATE' | 'DATE_OUT_OF_RANGE';

/** Why a value is no date the API accepts, or undefined when it is one. */
export function checkLocalDate(value: unknown): DateProblem | undefined {
  const day = parseDayNumber(value);
  if (day === undefined) return 'INVALID_DATE';
  return day < MIN_DAY || day > MAX_DAY ? 'DATE_OUT_OF_RANGE' : undefined;
}

/** A real date the API accepts: YYYY-MM-DD from MIN_LOCAL_DATE to MAX_LOCAL_DATE. */
export function isLocalDate(value: unknown): value is LocalDate {
  return checkLocalDate(value) === undefined;
}

/** A digit's value, or -1. */
function digitAt(text: string, i: number): number {
  const c = text.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/**
 * Any real date with a four-digit year: what stored or derived dates (and cursors over
 * them) may hold. Checked character by character: every date of every row read and of
 * every answer passes here.
 */
export function isCalendarDate(value: unknown): value is LocalDate {
  if (typeof value !== 'string' || value.length !== 10 || value[4] !== '-' || value[7] !== '-') return false;
  const digits = [0, 1, 2, 3, 5, 6, 8, 9].map((i) => digitAt(value, i));
  if (digits.some((d) => d < 0)) return false;
  const [y1, y2, y3, y4, m1, m2, d1, d2] = digits;
  const [year, month, day] = [y1 * 1000 + y2 * 100 + y3 * 10 + y4, m1 * 10 + m2, d1 * 10 + d2];
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && (day <= 28 || day <= daysInMonth(year, month));
}

export function toDayNumber(date: LocalDate): DayNumber {
  const day = parseDayNumber(date);
  if (day === undefined) throw new RangeError(`${JSON.stringify(date)?.slice(0, 40)} is not a date YYYY-MM-DD`);
  return day;
}

export function fromDayNumber(day: DayNumber): LocalDate {
  if (!Number.isInteger(day) || day < FIRST_DAY || day > LAST_DAY) {
    throw new RangeError(`day number ${day} is outside the years 0001–9999`);
  }
  const [y, m, d] = civilOfDayNumber(day);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  return toDayNumber(to) - toDayNumber(from);
}

/** ISO weekday: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday). */
export function isoWeekday(date: LocalDate): number {
  return ((((toDayNumber(date) + 3) % 7) + 7) % 7) + 1;
}

/** One formatter per time zone: making one costs far more than using it. */
const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The date an instant falls on in the given IANA time zone. */
export function localDateAt(instant: Date, timeZone: string): LocalDate {
  let format = dateFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** Negative, zero or positive as `a` is before, on or after `b`. */
export function compareDates(a: LocalDate, b: LocalDate): number {
  return Math.sign(toDayNumber(a) - toDayNumber(b));
}

export const isBefore = (a: LocalDate, b: LocalDate): boolean => compareDates(a, b) < 0;
export const isAfter = (a: LocalDate, b: LocalDate): boolean => compareDates(a, b) > 0;
export const earlierOf = (a: LocalDate, b: LocalDate): LocalDate => (isAfter(a, b) ? b : a);
export const laterOf = (a: LocalDate, b: LocalDate): LocalDate => (isBefore(a, b) ? b : a);

/**
 * Every date from `from` to `to`, both included. Loops over dates are bounded: more
 * than `maxDays` is a programming error (callers check the span of client ranges first).
 */
export function datesFrom(from: LocalDate, to: LocalDate, maxDays: number): LocalDate[] {
  const [first, last] = [toDayNumber(from), toDayNumber(to)];
  if (last - first + 1 > maxDays) throw new RangeError(`${from}…${to} spans more than ${maxDays} days`);
  const dates: LocalDate[] = [];
  for (let day = first; day <= last; day++) dates.push(fromDayNumber(day));
  return dates;
}

export interface DateRangeRule {
  /** Most days from `from` to `to`, both included; omitted for open-ended filters. */
  maxDays?: number;
  /** How the API names the two ends, e.g. `filter.dueFrom` / `filter.dueTo` (default `from` / `to`). */
  fromField?: string;
  toField?: string;
}

/**
 * A client's date range: `to` not before `from` (RANGE_REVERSED) and at most `maxDays`
 * days long (RANGE_TOO_LONG); both refusals name the `to` end.
 */
export function assertDateRange(from: LocalDate, to: LocalDate, rule: DateRangeRule = {}): void {
  const { fromField = 'from', toField = 'to', maxDays } = rule;
  const days = daysBetween(from, to) + 1;
  if (days < 1) throw badInput(toField, `${toField} (${to}) is before ${fromField} (${from})`, CoreErrorReason.RANGE_REVERSED);
  if (maxDays !== undefined && days > maxDays) {
    throw badInput(toField, `${fromField} to ${toField} spans ${days} days; at most ${maxDays} are allowed`, CoreErrorReason.RANGE_TOO_LONG);
  }
}
