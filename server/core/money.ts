/**
 * Money: exact amounts as bigint minor units (fen/cents). Never a float.
 * The wire and database form is a decimal string with two fraction digits ("1234.50").
 */

/** Amount in minor units (1/100 of the currency unit). */
export type Cents = bigint;

/**
 * An amount exactly as PostgreSQL prints a numeric of scale 2 (`"1234.50"`, `"0.00"`,
 * `"-1.50"`): the wire form already, so a read that only shows money (a balance
 * computed in SQL) passes it on without a round trip through cents.
 */
export type MoneyText = string & { readonly __money: 'text' };

/** Money as the API serialises it: cents, or text in the wire form. */
export type MoneyValue = Cents | MoneyText;

const MONEY_TEXT_PATTERN = /^-?\d+\.\d\d$/;

/** Whether a string is money in the wire form (two fraction digits, no plus sign, no exponent). */
export function isMoneyText(value: string): value is MoneyText {
  return MONEY_TEXT_PATTERN.test(value);
}

/** A numeric from PostgreSQL as MoneyText; any scale up to 2 is brought to two digits, exactly. */
export function moneyTextFromNumeric(value: string | number): MoneyText {
  const text = String(value);
  return isMoneyText(text) ? text : (formatMoney(centsFromNumeric(text)) as MoneyText);
}

const MONEY_PATTERN = /^(0|[1-9]\d*)(\.\d{1,2})?$/;
/** Largest amount a numeric(16,2) column holds. */
export const MAX_CENTS: Cents = 10n ** 16n - 1n;

export class MoneyFormatError extends Error {}

/**
 * Parses a non-negative decimal string with at most two fraction digits.
 * Rejects signs, exponents, NaN, more than two decimals and non-strings (a JSON
 * number could already have lost precision before it reached us).
 */
export function parseMoney(value: unknown): Cents {
  if (typeof value !== 'string') {
    throw new MoneyFormatError('Money must be a decimal string such as "1234.50", not a number');
  }
  const match = MONEY_PATTERN.exec(value);
  if (!match) {
    throw new MoneyFormatError(`"${value.slice(0, 40)}" is not a valid amount: use a non-negative decimal with at most two fraction digits, e.g. "1234.50"`);
  }
  const fraction = (match[2] ?? '.').slice(1).padEnd(2, '0');
  const cents = BigInt(match[1]) * 100n + BigInt(fraction);
  if (cents > MAX_CENTS) throw new MoneyFormatError(`"${value.slice(0, 40)}" is too large`);
  return cents;
}

/** Parses what PostgreSQL returns for a numeric column (may carry a sign and any scale ≤ 2). */
export function centsFromNumeric(value: string | number | bigint): Cents {
  if (typeof value === 'bigint') return value;
  const text = String(value);
  // The usual case, numeric(16,2): the digits without the point are the cents.
  if (MONEY_TEXT_PATTERN.test(text)) return BigInt(text.slice(0, -3) + text.slice(-2));
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new MoneyFormatError(`unexpected numeric value "${text}"`);
  const fraction = (match[3] ?? '').padEnd(2, '0');
  if (fraction.length > 2 && /[^0]/.test(fraction.slice(2))) {
    throw new MoneyFormatError(`numeric value "${text}" has more than two fraction digits`);
  }
  const cents = BigInt(match[2]) * 100n + BigInt(fraction.slice(0, 2));
  return match[1] === '-' ? -cents : cents;
}

export function formatMoney(cents: Cents): string {
  const negative = cents < 0n;
  const digits = (negative ? -cents : cents).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

export function sumCents(values: Iterable<Cents>): Cents {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}

export function minCents(a: Cents, b: Cents): Cents {
  return a < b ? a : b;
}
