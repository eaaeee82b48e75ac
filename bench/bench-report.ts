/**
 * What the benchmarks print: statistics over rounds, Markdown tables (so a run can be
 * pasted into RESULTS.md), a progress bar for long preparations, and the environment
 * knobs (BENCH_*) with their defaults.
 */

/** A whole-number knob from the environment, e.g. BENCH_SECONDS. */
export function envInt(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number ≥ ${min} (got "${raw}")`);
  return value;
}

/** The value at quantile q (0…1) of ascending-sorted values (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  return { min: Math.min(...values), median: median(values), max: Math.max(...values) };
}

/** A number with a precision that suits its size: 7,378 · 33.4 · 0.25 · 0.031. */
export function num(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(abs >= 0.1 ? 2 : 3);
}

/** "median (min–max)", or the one value when all rounds agree. */
export function formatSpread(s: Spread, format: (v: number) => string = num): string {
  if (format(s.min) === format(s.max)) return format(s.median);
  return `${format(s.median)} (${format(s.min)}–${format(s.max)})`;
}

/** A Markdown table. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * A progress bar on stderr: redrawn in place on a terminal, a line per 10 % otherwise
 * (CI logs, files).
 */
export class ProgressBar {
  private readonly tty = Boolean(process.stderr.isTTY);
  private lastTenth = -1;
  private readonly started = Date.now();

  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {}

  update(done: number, what = ''): void {
    const fraction = this.total === 0 ? 1 : Math.min(1, done / this.total);
    const width = 30;
    const filled = Math.round(fraction * width);
    const seconds = ((Date.now() - this.started) / 1000).toFixed(0);
    const text = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${seconds} s ${what}`;
    if (this.tty) {
      process.stderr.write(`\r${text.padEnd(110)}`);
      if (fraction === 1) process.stderr.write('\n');
    } else if (Math.floor(fraction * 10) > this.lastTenth) {
      this.lastTenth = Math.floor(fraction * 10);
      process.stderr.write(`${text}\n`);
    }
  }
}
