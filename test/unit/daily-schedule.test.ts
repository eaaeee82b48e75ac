/** The next DIGEST_AT instant: the company zone's wall clock, not UTC's, across midnight and DST changes. */
import { nextDailyInstant } from '../../server/core/daily-schedule';

const at = (iso: string) => new Date(iso);
const HALF_PAST_8 = 8 * 60 + 30;

test('Asia/Shanghai (UTC+8): 08:30 there is 00:30 UTC, today if not yet passed, else tomorrow', () => {
  expect(nextDailyInstant(at('2026-12-07T00:00:00Z'), HALF_PAST_8, 'Asia/Shanghai').toISOString()).toBe('2026-12-07T00:30:00.000Z');
  expect(nextDailyInstant(at('2026-12-07T00:30:00Z'), HALF_PAST_8, 'Asia/Shanghai').toISOString()).toBe('2026-12-08T00:30:00.000Z');
  // 23:00 UTC on the 6th is already the 7th, 07:00, in Shanghai.
  expect(nextDailyInstant(at('2026-12-06T23:00:00Z'), HALF_PAST_8, 'Asia/Shanghai').toISOString()).toBe('2026-12-07T00:30:00.000Z');
  expect(nextDailyInstant(at('2026-12-31T01:00:00Z'), HALF_PAST_8, 'Asia/Shanghai').toISOString()).toBe('2027-01-01T00:30:00.000Z');
});

test('a zone with daylight saving time keeps the wall-clock time across the change', () => {
  // New York: EST (UTC-5) until 2027-03-14, EDT (UTC-4) after.
  expect(nextDailyInstant(at('2027-03-13T14:00:00Z'), HALF_PAST_8, 'America/New_York').toISOString()).toBe('2027-03-14T12:30:00.000Z');
  expect(nextDailyInstant(at('2027-03-12T14:00:00Z'), HALF_PAST_8, 'America/New_York').toISOString()).toBe('2027-03-13T13:30:00.000Z');
  expect(nextDailyInstant(at('2027-01-01T00:00:00Z'), 0, 'UTC').toISOString()).toBe('2027-01-02T00:00:00.000Z');
});
