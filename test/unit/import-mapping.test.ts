/** The import's pure parts: the mapping file's date and number forms, and the words a bank line's text is matched by. */
import 'reflect-metadata';
import { normalizeAmount, normalizeDate } from '../../scripts/import/mapping';
import { normalizeAccount, remittanceTokens } from '../../server/modules/imports/bank-matching';

test('dates in the mapping file’s format become YYYY-MM-DD; what does not fit is passed on for the server to refuse', () => {
  expect(normalizeDate('2026/1/4', 'YYYY/M/D')).toBe('2026-01-04');
  expect(normalizeDate('04.01.2026', 'DD.MM.YYYY')).toBe('2026-01-04');
  expect(normalizeDate('2026-01-04')).toBe('2026-01-04');
  expect(normalizeDate(new Date('2026-01-04T00:00:00Z'))).toBe('2026-01-04');
  expect(normalizeDate('yesterday', 'YYYY/M/D')).toBe('yesterday');
  expect(normalizeDate('26/1/4', 'YYYY/M/D')).toBe('26/1/4');
});

test('amounts lose thousands separators; a third decimal is left for the server to refuse', () => {
  expect(normalizeAmount('1,234.50')).toBe('1234.50');
  expect(normalizeAmount('1.234,50', '.', ',')).toBe('1234.50');
  expect(normalizeAmount('¥12,800.00')).toBe('12800.00');
  expect(normalizeAmount('2,500.125')).toBe('2500.125');
});

test('remittance words and accounts', () => {
  expect(remittanceTokens('货款 INV-26001，谢谢 (c-1003).')).toEqual(['货款', 'INV-26001', '谢谢', 'C-1003']);
  expect(normalizeAccount('6222 0210-0100 1234')).toBe('6222021001001234');
});
