import { centsFromNumeric, formatMoney, isMoneyText, MoneyFormatError, moneyTextFromNumeric, parseMoney, sumCents } from '../../server/core/money';
import { MoneyScalar } from '../../server/core/scalars';

describe('parseMoney', () => {
  test.each([
    ['0', 0n],
    ['0.5', 50n],
    ['1234.50', 123450n],
    ['1234.5', 123450n],
    ['1234', 123400n],
    ['0.01', 1n],
    ['99999999999999.99', 9999999999999999n], // the largest numeric(16,2)
  ])('%s is %p cents', (text, cents) => {
    expect(parseMoney(text)).toBe(cents);
  });

  test.each(['-5', '1.005', '1e3', 'NaN', 'Infinity', '', ' 1', '1 ', '01.00', '1.', '.5', '12,50', '+1', '0x10', '100000000000000.00'])(
    '"%s" is rejected',
    (text) => {
      expect(() => parseMoney(text)).toThrow(MoneyFormatError);
    },
  );

  test.each([12.5, 12, null, undefined, {}])('non-string %p is rejected (a float may already have lost precision)', (value) => {
    expect(() => parseMoney(value)).toThrow(MoneyFormatError);
  });
});

describe('formatMoney and numeric round trip', () => {
  test('formats with exactly two fraction digits', () => {
    expect(formatMoney(0n)).toBe('0.00');
    expect(formatMoney(5n)).toBe('0.05');
    expect(formatMoney(123450n)).toBe('1234.50');
    expect(formatMoney(-150n)).toBe('-1.50');
  });

  test('reads PostgreSQL numeric text exactly', () => {
    expect(centsFromNumeric('1234.50')).toBe(123450n);
    expect(centsFromNumeric('7')).toBe(700n);
    expect(centsFromNumeric('-0.10')).toBe(-10n);
    expect(centsFromNumeric('0.1000')).toBe(10n);
    expect(() => centsFromNumeric('0.105')).toThrow(MoneyFormatError);
  });

  test('sums that floats get wrong are exact: 0.10 + 0.20 = 0.30', () => {
    expect(formatMoney(sumCents([parseMoney('0.10'), parseMoney('0.20')]))).toBe('0.30');
    expect(0.1 + 0.2).not.toBe(0.3);
  });
});

describe('money as text, the wire form', () => {
  test('numeric text of scale 2 is passed on as it is; other scales are made exact', () => {
    expect(moneyTextFromNumeric('1234.50')).toBe('1234.50');
    expect(moneyTextFromNumeric('0.00')).toBe('0.00');
    expect(moneyTextFromNumeric('-1.50')).toBe('-1.50');
    expect(moneyTextFromNumeric('0')).toBe('0.00');
    expect(moneyTextFromNumeric('7.5')).toBe('7.50');
    expect(moneyTextFromNumeric('0.1000')).toBe('0.10');
    expect(() => moneyTextFromNumeric('0.105')).toThrow(MoneyFormatError);
    expect(isMoneyText('12.5')).toBe(false);
    expect(isMoneyText('1e3')).toBe(false);
  });

  test('the Money scalar serialises cents and text alike, never a float', () => {
    expect(MoneyScalar.serialize(123450n)).toBe('1234.50');
    expect(MoneyScalar.serialize('1234.50')).toBe('1234.50');
    expect(MoneyScalar.serialize('1234.5')).toBe('1234.50');
    expect(() => MoneyScalar.serialize(12.5)).toThrow(TypeError);
  });

  test('cents from the usual numeric(16,2) text and back', () => {
    for (const text of ['0.00', '0.05', '-0.05', '1234.50', '99999999999999.99']) expect(formatMoney(centsFromNumeric(text))).toBe(text);
  });
});
