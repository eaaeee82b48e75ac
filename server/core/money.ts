/**
 * Money: exact amounts as bigint minor units (fen/cents). Never a float.
 * The wire and database form is a decimal string with two fraction digits ("1234.50").
 */

/** Amount in minor units (1/100 of the currency unit). */
export type Cents = bigint;

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
  const abs = negative ? -cents : cents;
  const units = abs / 100n;
  const fraction = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${units}.${fraction}`;
}

export function sumCents(values: Iterable<Cents>): Cents {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}

export function minCents(a: Cents, b: Cents): Cents {
  return a < b ? a : b;
}
