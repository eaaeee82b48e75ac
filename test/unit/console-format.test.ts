/** The console's number formatting: money is shown digit for digit as the API answered it, in the reader's locale. */
import { formatMoney, moneyCents, mondayOf } from '../../console/format';

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
