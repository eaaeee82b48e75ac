/**
 * The mapping file of `npm run import` (docs/import.md): which column of the file holds
 * which field of the import, and how its dates and numbers are written. Cells are turned
 * into the API's forms here (`2026/1/4` → `2026-01-04`, `1,234.50` → `1234.50`); whether
 * the value is then acceptable is the server's decision, row by row.
 */
import { readFileSync } from 'node:fs';

export type ImportKindName = 'customers' | 'receivables' | 'payments';

/** The fields of each kind, as the API's rows name them; `required` ones must be mapped. */
export const FIELDS: Record<ImportKindName, { required: string[]; optional: string[]; dates: string[]; amounts: string[]; lists: string[]; ints: string[] }> = {
  customers: {
    required: ['externalId', 'code', 'name', 'ownerEmail', 'creditTermDays', 'creditLimit'],
    optional: ['payerAccounts'],
    dates: [],
    amounts: ['creditLimit'],
    lists: ['payerAccounts'],
    ints: ['creditTermDays'],
  },
  receivables: {
    required: ['externalId', 'customerCode', 'reference', 'amount', 'issuedOn'],
    optional: ['dueOn'],
    dates: ['issuedOn', 'dueOn'],
    amounts: ['amount'],
    lists: [],
    ints: [],
  },
  payments: {
    required: ['externalId', 'valueDate', 'amount'],
    optional: ['payerName', 'payerAccount', 'reference', 'customerCode'],
    dates: ['valueDate'],
    amounts: ['amount'],
    lists: [],
    ints: [],
  },
};

export interface Mapping {
  /** field → column header in the file (or a 1-based column number). */
  columns: Record<string, string | number>;
  /** How dates are written: a pattern of Y, M, D with any separators (`YYYY/M/D`, `DD.MM.YYYY`); default `YYYY-MM-DD`. */
  dateFormat?: string;
  /** The thousands separator (`,`, `.`, ` ` or `''`); default `,`. */
  thousandsSeparator?: string;
  /** The decimal separator; default `.`. */
  decimalSeparator?: string;
  /** Text encoding of a CSV file, e.g. `gbk`, `gb18030`, `utf-8` (default; a BOM is dropped). */
  encoding?: string;
  /** CSV field delimiter; default `,`. */
  delimiter?: string;
  /** XLSX: the worksheet's name (default: the first). */
  sheet?: string;
  /** Values for fields the file has no column for, e.g. `{ "customerCode": "C001" }`. */
  constants?: Record<string, string>;
  /** Separator of several payer accounts in one cell; default `;`. */
  listSeparator?: string;
}

export function loadMapping(path: string, kind: ImportKindName): Mapping {
  const mapping = JSON.parse(readFileSync(path, 'utf8')) as Mapping;
  if (!mapping.columns || typeof mapping.columns !== 'object') throw new Error(`${path}: "columns" (field → column header) is missing`);
  const known = new Set([...FIELDS[kind].required, ...FIELDS[kind].optional]);
  for (const field of Object.keys(mapping.columns))
    if (!known.has(field)) throw new Error(`${path}: ${field} is no field of ${kind} (fields: ${[...known].join(', ')})`);
  for (const field of FIELDS[kind].required) {
    if (!(field in mapping.columns) && !(field in (mapping.constants ?? {}))) throw new Error(`${path}: the required field ${field} has no column`);
  }
  return mapping;
}

/** A cell as text: dates as YYYY-MM-DD, numbers and strings as they are. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/**
 * A date written in `format` as YYYY-MM-DD; anything that does not fit is passed on as
 * written, for the server to refuse with INVALID_DATE and the row's line. A date cell of
 * an XLSX file arrives as a Date.
 */
export function normalizeDate(value: unknown, format = 'YYYY-MM-DD'): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  const text = cellText(value).trim();
  if (!text) return '';
  const order = [...format.toUpperCase().matchAll(/Y+|M+|D+/g)].map((m) => m[0][0]);
  const parts = text.split(/[^0-9]+/).filter(Boolean);
  if (order.length !== 3 || parts.length !== 3) return text;
  const at = (c: string) => parts[order.indexOf(c)];
  const [y, m, d] = [at('Y'), at('M'), at('D')];
  if (y.length !== 4 || m.length > 2 || d.length > 2) return text;
  return `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
}

/** An amount without thousands separators and with `.` as decimal point (`1,234.50` → `1234.50`); the rest is the server's to judge. */
export function normalizeAmount(value: unknown, thousands = ',', decimal = '.'): string {
  if (typeof value === 'number') return String(value);
  let text = cellText(value).trim();
  if (thousands) text = text.split(thousands).join('');
  if (decimal !== '.') text = text.split(decimal).join('.');
  return text.replace(/^[¥￥$]\s*/, '');
}

/** One record of the file (header → cell) as a row of the API. */
export function toRow(kind: ImportKindName, mapping: Mapping, record: Record<string, unknown>, cells: unknown[], line: number): Record<string, unknown> {
  const spec = FIELDS[kind];
  const row: Record<string, unknown> = { line };
  const cellOf = (column: string | number) => (typeof column === 'number' ? cells[column - 1] : record[column]);
  for (const field of [...spec.required, ...spec.optional]) {
    const column = mapping.columns[field];
    const raw = column !== undefined ? cellOf(column) : mapping.constants?.[field];
    if (cellText(raw).trim() === '') {
      if (spec.required.includes(field)) row[field] = spec.ints.includes(field) ? 0 : '';
      continue;
    }
    if (spec.dates.includes(field)) row[field] = normalizeDate(raw, mapping.dateFormat);
    else if (spec.amounts.includes(field)) row[field] = normalizeAmount(raw, mapping.thousandsSeparator ?? ',', mapping.decimalSeparator ?? '.');
    else if (spec.lists.includes(field))
      row[field] = String(raw)
        .split(mapping.listSeparator ?? ';')
        .map((s) => s.trim())
        .filter(Boolean);
    // Not a whole number: -1, which the server refuses for the row (OUT_OF_RANGE), line and field named.
    else if (spec.ints.includes(field)) row[field] = /^\d{1,9}$/.test(cellText(raw).trim()) ? Number(cellText(raw).trim()) : -1;
    else row[field] = cellText(raw).trim();
  }
  return row;
}
