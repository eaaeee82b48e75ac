/**
 * Tables for download: one header row and rows of cells, written as CSV (UTF-8 with a BOM
 * so Excel reads Chinese names; CRLF; money as the exact decimal strings the API answers)
 * or as an XLSX sheet (exceljs; money cells are numbers parsed from those strings, shown
 * with two decimals — the CSV is the exact copy).
 */
import ExcelJS from 'exceljs';
import { type Cents, formatMoney } from '../../core/money';

export type CellKind = 'text' | 'money' | 'int' | 'date';

export interface Column<Row> {
  header: string;
  kind: CellKind;
  value(row: Row): string | number | Cents | null;
}

export interface Table<Row> {
  columns: readonly Column<Row>[];
  rows: readonly Row[];
}

const BOM = '\uFEFF';

function text(kind: CellKind, value: string | number | bigint | null): string {
  if (value === null) return '';
  if (kind === 'money' && typeof value === 'bigint') return formatMoney(value);
  return String(value);
}

/** One CSV cell: quoted when needed; a text starting with =, +, - or @ is defused for spreadsheets. */
function csvCell(kind: CellKind, value: string | number | bigint | null): string {
  const raw = text(kind, value);
  const safe = kind === 'text' && /^[=+\-@]/.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The table as CSV; `before` and `after` are extra lines of plain text cells (a title, totals), set off by an empty line. */
export function toCsv<Row>(table: Table<Row>, before: readonly (readonly string[])[] = [], after: readonly (readonly string[])[] = []): string {
  const plain = (cells: readonly string[]) => cells.map((c) => csvCell('text', c)).join(',');
  const lines = [
    ...before.map(plain),
    ...(before.length ? [''] : []),
    plain(table.columns.map((c) => c.header)),
    ...table.rows.map((row) => table.columns.map((c) => csvCell(c.kind, c.value(row))).join(',')),
    ...(after.length ? ['', ...after.map(plain)] : []),
  ];
  return BOM + lines.join('\r\n') + '\r\n';
}

/** The table as one XLSX sheet: header row bold and frozen, money as numbers with format #,##0.00. */
export async function toXlsx<Row>(sheetName: string, table: Table<Row>): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = table.columns.map((c) => ({ header: c.header, key: c.header, width: Math.max(12, c.header.length + 2) }));
  sheet.getRow(1).font = { bold: true };
  for (const row of table.rows) {
    sheet.addRow(
      table.columns.map((c) => {
        const value = c.value(row);
        if (value === null) return null;
        if (c.kind === 'money') return Number(text('money', value));
        if (c.kind === 'int') return Number(value);
        return String(value);
      }),
    );
  }
  table.columns.forEach((c, i) => {
    if (c.kind === 'money') sheet.getColumn(i + 1).numFmt = '#,##0.00';
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
