/**
 * Numbers and dates in the reader's locale. Money arrives as an exact decimal string
 * ("1234567.05") and is formatted from its digits (BigInt for the integer part), never
 * through a float, so what is shown is exactly what the API answered.
 */
const MONEY = /^(-)?(\d+)(?:\.(\d+))?$/;

function symbols(locale: string): { decimal: string; minus: string } {
  const parts = new Intl.NumberFormat(locale, { minimumFractionDigits: 1 }).formatToParts(-1.5);
  return { decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.', minus: parts.find((p) => p.type === 'minusSign')?.value ?? '-' };
}

/** "1234567.5" → "1,234,567.50" (en) — grouping and decimal sign of the locale, digits untouched. */
export function formatMoney(value: string | null | undefined, locale: string): string {
  if (value === null || value === undefined) return '—';
  const match = MONEY.exec(value.trim());
  if (!match) return value;
  const [, sign, integer, fraction = ''] = match;
  const { decimal, minus } = symbols(locale);
  const grouped = new Intl.NumberFormat(locale, { useGrouping: true, maximumFractionDigits: 0 }).format(BigInt(integer));
  const negative = sign !== undefined && /[1-9]/.test(integer + fraction);
  return `${negative ? minus : ''}${grouped}${decimal}${fraction.padEnd(2, '0')}`;
}

/** Exact comparison of two decimal strings (for sorting and signs), in cents. */
export function moneyCents(value: string): bigint {
  const match = MONEY.exec(value.trim());
  if (!match) return 0n;
  const [, sign, integer, fraction = ''] = match;
  const cents = BigInt(integer) * 100n + BigInt((fraction + '00').slice(0, 2));
  return sign ? -cents : cents;
}

/**
 * The only place money becomes a float: bar heights and line points of a chart. What a
 * reader sees as a number (tables, tooltips, labels) is always formatMoney of the string.
 */
export function moneyForChart(value: string): number {
  return Number(moneyCents(value)) / 100;
}

export function formatDate(value: string | null | undefined, locale: string, style: 'short' | 'medium' = 'medium'): string {
  if (!value) return '—';
  const [y, m, d] = value.slice(0, 10).split('-').map(Number);
  const options: Intl.DateTimeFormatOptions =
    style === 'short' ? { timeZone: 'UTC', month: 'numeric', day: 'numeric' } : { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' };
  return new Intl.DateTimeFormat(locale, options).format(new Date(Date.UTC(y, m - 1, d)));
}

export function formatDateTime(value: string | null | undefined, locale: string): string {
  if (!value) return '—';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(value));
}

/** A ratio in [0,1] (rates are ratios, not money): "87.5%". */
export function formatRate(value: number | null | undefined, locale: string): string {
  if (value === null || value === undefined) return '—';
  return new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value);
}

export function formatNumber(value: number | null | undefined, locale: string, digits = 0): string {
  if (value === null || value === undefined) return '—';
  return new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

/** The calendar date of an instant in a time zone, as YYYY-MM-DD. */
export function dateInZone(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** What the server said about the day when the page loaded (the page's meta elements, server/console.ts). */
export interface BusinessCalendar {
  /** The server's business date then. */
  today: string;
  /** The company's time zone. */
  timeZone: string;
  /** When the page loaded (the browser's clock). */
  loadedAt: Date;
}

/**
 * The business date now: the server's date when the page loaded, moved on by the days the
 * company's calendar has turned since (a page left open overnight). The browser's own
 * calendar and time zone play no part, except for how much time has passed.
 */
export function businessToday(calendar: BusinessCalendar, now: Date = new Date()): string {
  const turned = Math.round(
    (Date.parse(`${dateInZone(now, calendar.timeZone)}T00:00:00Z`) - Date.parse(`${dateInZone(calendar.loadedAt, calendar.timeZone)}T00:00:00Z`)) / 86_400_000,
  );
  return addDays(calendar.today, turned);
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The Monday of the week of a date. */
export function mondayOf(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return addDays(date, -((weekday + 6) % 7));
}
