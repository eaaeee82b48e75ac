import { addDays, daysBetween, isLocalDate, isoWeekday, localDateAt } from '../../server/core/local-date';

test('isLocalDate accepts real calendar dates only', () => {
  expect(isLocalDate('2024-02-29')).toBe(true);
  expect(isLocalDate('2026-12-31')).toBe(true);
  for (const bad of ['2026-02-29', '2026-02-30', '2026-13-01', '2026-00-10', '2026/01/01', '26-01-01', '2026-1-1', 'yesterday', '', 20260101]) {
    expect(isLocalDate(bad)).toBe(false);
  }
});

test('date arithmetic crosses months, years and leap days', () => {
  expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
  expect(addDays('2027-03-01', -1)).toBe('2027-02-28');
  expect(daysBetween('2026-12-31', '2027-01-04')).toBe(4);
  expect(daysBetween('2027-01-04', '2026-12-31')).toBe(-4);
});

test('ISO weekdays: 2027-01-01 is a Friday, 2027-01-03 a Sunday', () => {
  expect(isoWeekday('2027-01-01')).toBe(5);
  expect(isoWeekday('2027-01-03')).toBe(7);
  expect(isoWeekday('2027-01-04')).toBe(1);
});

test('the local date depends on the company time zone, not the server clock', () => {
  // 31 December 2026, 20:00 in UTC is already 1 January 2027 in Shanghai (UTC+8).
  const instant = new Date('2026-12-31T20:00:00Z');
  expect(localDateAt(instant, 'Asia/Shanghai')).toBe('2027-01-01');
  expect(localDateAt(instant, 'UTC')).toBe('2026-12-31');
  expect(localDateAt(instant, 'America/New_York')).toBe('2026-12-31');
});
