/**
 * The records of an import file, streamed: CSV through csv-parse (decoded by iconv-lite
 * from the mapping's encoding, e.g. GBK as Chinese ERPs export it) or the first (or the
 * named) worksheet of an XLSX file through exceljs's streaming reader. The first row holds
 * the column headers; each record carries its line (row) number in the file.
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';

export interface FileRecord {
  /** The record's line (CSV: the line it ends on) or row number (XLSX), header = 1. */
  line: number;
  /** header → cell */
  record: Record<string, unknown>;
  /** The cells in column order (for the error file and numbered columns). */
  cells: unknown[];
}

export interface ReadOptions {
  encoding?: string;
  delimiter?: string;
  sheet?: string;
}

export function isXlsx(path: string): boolean {
  return /\.xlsx$/i.test(path);
}

export async function* readRecords(path: string, options: ReadOptions = {}): AsyncGenerator<FileRecord> {
  yield* isXlsx(path) ? readXlsx(path, options.sheet) : readCsv(path, options);
}

async function* readCsv(path: string, options: ReadOptions): AsyncGenerator<FileRecord> {
  const encoding = options.encoding ?? 'utf-8';
  if (!iconv.encodingExists(encoding)) throw new Error(`unknown encoding ${options.encoding ?? ''}`);
  const parser = createReadStream(path)
    .pipe(iconv.decodeStream(encoding, { stripBOM: true }))
    .pipe(parse({ delimiter: options.delimiter ?? ',', bom: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: true }));
  let header: string[] | undefined;
  for await (const entry of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (!header) {
      header = entry.record.map((h) => h.trim());
      continue;
    }
    yield { line: entry.info.lines, record: Object.fromEntries(header.map((h, i) => [h, entry.record[i]])), cells: entry.record };
  }
}

/** A cell's value as the sheet shows it: formulas by their result, rich text as text, dates as Date. */
function cellValue(value: ExcelJS.CellValue): unknown {
  if (value === null || value === undefined) return '';
  if (value instanceof Date || typeof value !== 'object') return value;
  if ('result' in value) return cellValue(value.result);
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('text' in value) return value.text;
  return JSON.stringify(value);
}

async function* readXlsx(path: string, sheet?: string): AsyncGenerator<FileRecord> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(path, { sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit' });
  for await (const worksheet of workbook) {
    const name = (worksheet as unknown as { name?: string }).name;
    if (sheet && name !== sheet) continue;
    let header: string[] | undefined;
    for await (const row of worksheet) {
      const values = (row.values as ExcelJS.CellValue[]).slice(1).map(cellValue);
      if (!header) {
        header = values.map((v) => String(v).trim());
        continue;
      }
      if (values.every((v) => v === '' || v === null || v === undefined)) continue;
      yield { line: row.number, record: Object.fromEntries(header.map((h, i) => [h, values[i] ?? ''])), cells: values };
    }
    return;
  }
  throw new Error(sheet ? `no worksheet ${sheet} in ${path}` : `no worksheet in ${path}`);
}
