import {
  addDays,
  assertDateRange,
  checkLocalDate,
  compareDates,
  datesFrom,
  daysBetween,
  earlierOf,
  fromDayNumber,
  isAfter,
  isBefore,
  isCalendarDate,
  isLocalDate,
  isoWeekday,
  laterOf,
  localDateAt,
  MAX_LOCAL_DATE,
  MIN_LOCAL_DATE,
  toDayNumber,
} from '../../server/core/local-date';
import { DomainError } from '../../server/core/errors';

test('isLocalDate accepts real calendar dates only', () => {
  expect(isLocalDate('2024-02-29')).toBe(true);
  expect(isLocalDate('2026-12-31')).toBe(true);
  for (const bad of ['2026-02-29', '2026-02-30', '2026-13-01', '2026-00-10', '2026/01/01', '26-01-01', '2026-1-1', 'yesterday', '', 20260101]) {
    expect(isLocalDate(bad)).toBe(false);
  }
});

test('the API accepts 1900-01-01 to 2200-12-31; beyond is DATE_OUT_OF_RANGE, a non-date INVALID_DATE', () => {
  expect([MIN_LOCAL_DATE, MAX_LOCAL_DATE]).toEqual(['1900-01-01', '2200-12-31']);
  for (const ok of ['1900-01-01', '2000-02-29', '2200-12-31']) expect(checkLocalDate(ok)).toBeUndefined();
  for (const far of ['1899-12-31', '2201-01-01', '9999-12-31', '0001-01-01']) expect(checkLocalDate(far)).toBe('DATE_OUT_OF_RANGE');
  for (const junk of [
    '0000-00-00',
    '0000-01-01',
    '1900-02-29',
    '2100-02-29',
    '+010000-01-01',
    '2026-01-01T00:00',
    ' 2026-01-01',
    '2026-01-01\u0000',
    null,
    2026,
  ]) {
    expect(checkLocalDate(junk)).toBe('INVALID_DATE');
  }
  // Stored and derived dates may lie past the input range; they are still dates.
  expect(isCalendarDate('2210-06-30')).toBe(true);
  expect(isCalendarDate('9999-12-31')).toBe(true);
  expect(isCalendarDate('0000-12-31')).toBe(false);
});

test('date arithmetic crosses months, years and leap days', () => {
  expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
  expect(addDays('2027-03-01', -1)).toBe('2027-02-28');
  expect(addDays('2100-02-28', 1)).toBe('2100-03-01');
  expect(addDays('2000-02-28', 1)).toBe('2000-02-29');
  expect(daysBetween('2026-12-31', '2027-01-04')).toBe(4);
  expect(daysBetween('2027-01-04', '2026-12-31')).toBe(-4);
  expect(daysBetween('1900-01-01', '2200-12-31')).toBe(109937);
});

test('day numbers agree with the JavaScript calendar and round-trip over the whole input range', () => {
  expect(toDayNumber('1970-01-01')).toBe(0);
  for (let day = toDayNumber(MIN_LOCAL_DATE); day <= toDayNumber(MAX_LOCAL_DATE); day += 37) {
    const date = fromDayNumber(day);
    expect(date).toBe(new Date(day * 86_400_000).toISOString().slice(0, 10));
    expect(toDayNumber(date)).toBe(day);
  }
});

test('arithmetic never leaves four-digit years: 9999-12-31 + 1 throws instead of giving "+010000-01-01"', () => {
  expect(() => addDays('9999-12-31', 1)).toThrow(RangeError);
  expect(() => addDays('0001-01-01', -1)).toThrow(RangeError);
  expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
  expect(addDays('9999-12-30', 1)).toBe('9999-12-31');
  expect(addDays('0001-01-02', -1)).toBe('0001-01-01');
});

test('comparisons use day numbers, not the text', () => {
  expect(compareDates('2026-01-02', '2026-01-10')).toBe(-1);
  expect(compareDates('2026-01-10', '2026-01-10')).toBe(0);
  expect(isBefore('1999-12-31', '2000-01-01')).toBe(true);
  expect(isAfter('2200-12-31', '2200-12-30')).toBe(true);
  expect(earlierOf('2027-01-04', '2026-12-31')).toBe('2026-12-31');
  expect(laterOf('2027-01-04', '2026-12-31')).toBe('2027-01-04');
  // Text that is no date is refused rather than ordered as text.
  expect(() => compareDates('+010000-01-01', '9999-12-31')).toThrow(RangeError);
});

test('ISO weekdays: 2027-01-01 is a Friday, 2027-01-03 a Sunday, 1900-01-01 a Monday', () => {
  expect(isoWeekday('2027-01-01')).toBe(5);
  expect(isoWeekday('2027-01-03')).toBe(7);
  expect(isoWeekday('2027-01-04')).toBe(1);
  expect(isoWeekday('1900-01-01')).toBe(1);
  expect(isoWeekday('1969-12-31')).toBe(3);
});

test('date loops are bounded: datesFrom lists both ends and refuses more than its maximum', () => {
  expect(datesFrom('2200-12-30', '2200-12-31', 366)).toEqual(['2200-12-30', '2200-12-31']);
  expect(datesFrom('2026-12-31', '2026-12-31', 1)).toEqual(['2026-12-31']);
  expect(datesFrom('2027-01-02', '2027-01-01', 366)).toEqual([]);
  expect(datesFrom('2024-01-01', '2024-12-31', 366)).toHaveLength(366);
  expect(() => datesFrom('2024-01-01', '2025-01-01', 366)).toThrow(RangeError);
});

test('assertDateRange: to before from is RANGE_REVERSED, longer than the maximum RANGE_TOO_LONG, both on the to field', () => {
  const refusal = (call: () => void) => {
    try {
      call();
    } catch (e) {
      return e instanceof DomainError ? { code: e.code, reason: e.reason, field: e.field } : e;
    }
    return undefined;
  };
  expect(refusal(() => assertDateRange('2026-01-01', '2026-01-01', { maxDays: 1 }))).toBeUndefined();
  expect(refusal(() => assertDateRange('2024-01-01', '2024-12-31', { maxDays: 366 }))).toBeUndefined();
  expect(refusal(() => assertDateRange('2024-01-01', '2025-01-01', { maxDays: 366 }))).toEqual({
    code: 'BAD_USER_INPUT',
    reason: 'RANGE_TOO_LONG',
    field: 'to',
  });
  expect(refusal(() => assertDateRange('2026-01-02', '2026-01-01', { fromField: 'filter.dueFrom', toField: 'filter.dueTo' }))).toEqual({
    code: 'BAD_USER_INPUT',
    reason: 'RANGE_REVERSED',
    field: 'filter.dueTo',
  });
  // Open-ended rules (filters) only require the order.
  expect(refusal(() => assertDateRange(MIN_LOCAL_DATE, MAX_LOCAL_DATE))).toBeUndefined();
});

test('the local date depends on the company time zone, not the server clock', () => {
  // 31 December 2026, 20:00 in UTC is already 1 January 2027 in Shanghai (UTC+8).
  const instant = new Date('2026-12-31T20:00:00Z');
  expect(localDateAt(instant, 'Asia/Shanghai')).toBe('2027-01-01');
  expect(localDateAt(instant, 'UTC')).toBe('2026-12-31');
  expect(localDateAt(instant, 'America/New_York')).toBe('2026-12-31');
});
