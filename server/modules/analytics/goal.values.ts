/**
 * Goal targets and actuals as exact fixed-point numbers: bigint with 9 decimals in the
 * metric's unit (ratio, days, or currency units for OVERDUE_AMOUNT), so a money target
 * is compared with a money actual without any float in between. Pure.
 */
import { type Cents } from '../../core/money';
import { GoalMetric } from './metrics.formulas';

export type Nano = bigint;
const SCALE = 1_000_000_000n;

/** Decimals a metric is written with on the wire. */
export function decimalsOf(metric: GoalMetric): number {
  if (metric === GoalMetric.OVERDUE_AMOUNT || metric === GoalMetric.DSO) return 2;
  return 4;
}

/** Upper bound of a target (rates are ratios in [0,1]). */
export function maxTargetOf(metric: GoalMetric): Nano {
  if (metric === GoalMetric.OVERDUE_AMOUNT) return (10n ** 14n - 1n) * SCALE;
  if (metric === GoalMetric.DSO) return 3660n * SCALE;
  return SCALE;
}

/** Parses a non-negative decimal string with at most `decimals` fraction digits; undefined when malformed. */
export function parseDecimal(text: string, decimals: number): Nano | undefined {
  const m = /^(0|[1-9]\d{0,13})(?:\.(\d+))?$/.exec(text);
  if (!m || (m[2] && m[2].length > decimals)) return undefined;
  return BigInt(m[1]) * SCALE + BigInt((m[2] ?? '').padEnd(9, '0'));
}

export function formatDecimal(value: Nano, decimals: number): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const unit = 10n ** BigInt(9 - decimals);
  const rounded = (abs + unit / 2n) / unit; // half up at the shown precision
  const base = 10n ** BigInt(decimals);
  const whole = rounded / base;
  const fraction = decimals > 0 ? `.${(rounded % base).toString().padStart(decimals, '0')}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

export function nanoFromCents(cents: Cents): Nano {
  return cents * 10_000_000n;
}

/** A float metric (ratio, days) as fixed point; ratios come exact to 9 decimals from metrics.formulas.ratio. */
export function nanoFromNumber(value: number): Nano {
  return BigInt(Math.round(value * 1e9));
}

export function toNano(value: number | bigint | null, metric: GoalMetric): Nano | null {
  if (value === null) return null;
  if (typeof value === 'bigint') return metric === GoalMetric.OVERDUE_AMOUNT ? nanoFromCents(value) : value * SCALE;
  return nanoFromNumber(value);
}

/** numeric(18,4) text from PostgreSQL → fixed point. */
export function nanoFromNumeric(text: string): Nano {
  const [whole, fraction = ''] = text.split('.');
  return BigInt(whole) * SCALE + BigInt(fraction.padEnd(9, '0').slice(0, 9));
}

export function numericFromNano(value: Nano): string {
  return formatDecimal(value, 4);
}
