/** The console's number formatting: money is shown digit for digit as the API answered it, in the reader's locale. */
import { businessToday, dateInZone, formatMoney, moneyCents, mondayOf } from '../../console/format';

test('money keeps every digit, far beyond what a float holds', () => {
  expect(formatMoney('12345678901234567.89', 'en')).toBe('12,345,678,901,234,567.89');
  expect(formatMoney('0.10', 'en')).toBe('0.10');
  expect(formatMoney('1234.5', 'en')).toBe('1,234.50');
  expect(formatMoney('-1234.05', 'en')).toBe('-1,234.05');
  expect(formatMoney('-0.00', 'en')).toBe('0.00');
  expect(formatMoney('1234567.05', 'zh-CN')).toBe('1,234,567.05');
  // German groups with dots and writes a decimal comma: the digits stay.
  expect(formatMoney('1234567.05', 'de-DE')).toBe('1.234.567,05');
  expect(formatMoney(null, 'en')).toBe('—');
});

test('money compares exactly in cents', () => {
  expect(moneyCents('9007199254740993.01')).toBe(900719925474099301n);
  expect(moneyCents('-1.5')).toBe(-150n);
});

test('the Monday of a week', () => {
  expect(mondayOf('2026-11-30')).toBe('2026-11-30');
  expect(mondayOf('2026-12-06')).toBe('2026-11-30');
  expect(mondayOf('2027-01-01')).toBe('2026-12-28');
});

test("a date in the company's time zone, whatever the machine's", () => {
  // 17:30 UTC on 30 November is 01:30 on 1 December in Shanghai and 06:30 on the 30th in Pago Pago.
  const instant = new Date('2026-11-30T17:30:00Z');
  expect(dateInZone(instant, 'Asia/Shanghai')).toBe('2026-12-01');
  expect(dateInZone(instant, 'Pacific/Pago_Pago')).toBe('2026-11-30');
  expect(dateInZone(new Date('2026-12-31T16:00:00Z'), 'Asia/Shanghai')).toBe('2027-01-01');
});

test("the console's today: the server's date at load, moved on by the company's midnights since", () => {
  const calendar = { today: '2026-01-05', timeZone: 'Asia/Shanghai', loadedAt: new Date('2026-11-30T10:00:00Z') };
  // Same Shanghai day as the load (18:00 there): the server's date, however far the real calendar is.
  expect(businessToday(calendar, new Date('2026-11-30T10:00:00Z'))).toBe('2026-01-05');
  expect(businessToday(calendar, new Date('2026-11-30T15:59:59Z'))).toBe('2026-01-05');
  // Past midnight in Shanghai (16:00 UTC) the page moves on a day, whatever the browser's own zone says.
  expect(businessToday(calendar, new Date('2026-11-30T16:00:00Z'))).toBe('2026-01-06');
  expect(businessToday(calendar, new Date('2026-12-02T17:00:00Z'))).toBe('2026-01-08');
});
