/**
 * `npm run import -- <customers|receivables|payments> <file> --source ERP --map map.json
 * [--dry-run] [--atomic] [--lag-reason TEXT] [--server URL] [--token T]`
 *
 * Reads a CSV or XLSX file (docs/import.md), maps its columns to the import's fields and
 * sends the rows in batches of up to 1,000 through the SDK, as any API client would: it
 * never touches the database. It shows a progress bar (rows per second, ETA), prints a
 * summary table, writes the refused rows with their line, field and reason to
 * `<file>.errors.csv`, and exits with 1 when any row failed (2 when it could not run).
 */
import { createReadStream, createWriteStream, existsSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { createClient, type Client, HuikuanError, type ImportMode, type ImportResultFieldsFragment } from '../../sdk/index.js';
import { cellText, FIELDS, type ImportKindName, loadMapping, toRow } from './mapping';
import { isXlsx, readRecords, type FileRecord } from './readers';

const USAGE = `usage: npm run import -- <customers|receivables|payments> <file.csv|file.xlsx> --source NAME --map map.json
  [--dry-run] [--atomic] [--lag-reason TEXT] [--batch-size N (≤1000)] [--concurrency N (1–4, default 2)] [--server URL] [--token TOKEN] [--no-progress]
  The token may also come from HUIKUAN_TOKEN, the server from HUIKUAN_URL (default http://localhost:4000/graphql).`;

export interface ImportCliOptions {
  kind: ImportKindName;
  file: string;
  source: string;
  map: string;
  dryRun: boolean;
  atomic: boolean;
  lagReason?: string;
  batchSize: number;
  /** Batches in flight at once (1–4). */
  concurrency: number;
  server: string;
  token: string;
  progress: boolean;
}

export interface ImportSummary {
  total: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  seconds: number;
  errorsFile: string | null;
  runIds: string[];
}

function parseCommandLine(argv: string[]): ImportCliOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      source: { type: 'string' },
      map: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      atomic: { type: 'boolean', default: false },
      'lag-reason': { type: 'string' },
      'batch-size': { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '2' },
      server: { type: 'string' },
      token: { type: 'string' },
      'no-progress': { type: 'boolean', default: false },
    },
  });
  const [kind, file] = positionals;
  if (!kind || !file || !['customers', 'receivables', 'payments'].includes(kind) || !values.source || !values.map) throw new Error(USAGE);
  const token = values.token ?? process.env.HUIKUAN_TOKEN;
  if (!token) throw new Error(`no token: pass --token or set HUIKUAN_TOKEN\n${USAGE}`);
  const batchSize = Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000) throw new Error('--batch-size must be 1 to 1000');
  const concurrency = Number(values.concurrency);
  // The server runs at most CONCURRENT_OPERATIONS_PER_USER (4) operations of one caller at once.
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 4) throw new Error('--concurrency must be 1 to 4');
  return {
    kind: kind as ImportKindName,
    file,
    source: values.source,
    map: values.map,
    dryRun: values['dry-run'] ?? false,
    atomic: values.atomic ?? false,
    lagReason: values['lag-reason'],
    batchSize,
    concurrency,
    server: values.server ?? process.env.HUIKUAN_URL ?? 'http://localhost:4000/graphql',
    token,
    progress: !values['no-progress'] && process.stderr.isTTY === true,
  };
}

/** Lines of a CSV file, for the progress bar's total (XLSX: counted as rows arrive). */
async function countLines(path: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) for (const byte of chunk) if (byte === 10) lines++;
  return lines;
}

function csvCell(value: unknown): string {
  const text = cellText(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function send(client: Client, kind: ImportKindName, variables: { options: Parameters<Client['importReceivables']>[0]['options']; rows: unknown[] }) {
  switch (kind) {
    case 'customers':
      return client.importCustomers(variables as Parameters<Client['importCustomers']>[0]).then((d) => d.importCustomers);
    case 'receivables':
      return client.importReceivables(variables as Parameters<Client['importReceivables']>[0]).then((d) => d.importReceivables);
    case 'payments':
      return client.importPayments(variables as Parameters<Client['importPayments']>[0]).then((d) => d.importPayments);
  }
}

export async function runImport(options: ImportCliOptions, log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<ImportSummary> {
  const mapping = loadMapping(options.map, options.kind);
  const client = createClient({ url: options.server, token: options.token });
  const errorsFile = `${options.file}.errors.csv`;
  if (existsSync(errorsFile)) rmSync(errorsFile);
  const mode: ImportMode = options.dryRun ? 'DRY_RUN' : 'APPLY';
  const started = Date.now();
  const totals = { total: 0, created: 0, updated: 0, unchanged: 0, failed: 0 };
  const runIds: string[] = [];
  let errorsOut: ReturnType<typeof createWriteStream> | undefined;
  let header: string[] | undefined;

  const expected = isXlsx(options.file) ? 0 : Math.max(0, (await countLines(options.file)) - 1);
  const bar = options.progress
    ? new cliProgress.SingleBar(
        { format: ' {bar} {percentage}% | {value}/{total} rows | {speed} rows/s | ETA {eta_formatted} | failed {failed}', hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(expected, 0, { speed: 0, failed: 0 });

  const sendBatch = (batch: FileRecord[]) =>
    send(client, options.kind, {
      options: { source: options.source, mode, atomic: options.atomic, lagReason: options.lagReason ?? null },
      rows: batch.map((r) => toRow(options.kind, mapping, r.record, r.cells, r.line)),
    }).then((result) => ({ batch, result }));

  /** A batch's answer, in file order: the totals, the errors file, the progress bar. */
  const handle = async ({ batch, result }: { batch: FileRecord[]; result: ImportResultFieldsFragment }) => {
    runIds.push(result.runId);
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += result[key];
    const byLine = new Map(batch.map((r) => [r.line, r]));
    for (const row of result.rows.filter((r) => r.status === 'ERROR')) {
      const record = byLine.get(row.line);
      header ??= Object.keys(record?.record ?? {});
      if (!errorsOut) {
        errorsOut = createWriteStream(errorsFile, { encoding: 'utf8' });
        // A BOM, so spreadsheet programs read the UTF-8 (and Chinese text) right.
        errorsOut.write(`\uFEFF${['line', ...header, 'field', 'reason', 'message'].map(csvCell).join(',')}\r\n`);
      }
      const cells = header.map((h) => record?.record[h]);
      if (!errorsOut.write(`${[row.line, ...cells, row.field, row.reason, row.message].map(csvCell).join(',')}\r\n`)) await once(errorsOut, 'drain');
    }
    const seconds = (Date.now() - started) / 1000;
    if (bar) {
      if (totals.total > bar.getTotal()) bar.setTotal(totals.total);
      bar.update(totals.total, { speed: Math.round(totals.total / Math.max(seconds, 0.001)), failed: totals.failed });
    }
  };

  // Up to `concurrency` batches in flight: the server plans one while it writes another.
  const inFlight: ReturnType<typeof sendBatch>[] = [];
  const flush = async (batch: FileRecord[]) => {
    if (batch.length > 0) inFlight.push(sendBatch(batch));
    while (inFlight.length >= options.concurrency || (batch.length === 0 && inFlight.length > 0)) await handle(await inFlight.shift()!);
  };
  let batch: FileRecord[] = [];
  try {
    for await (const record of readRecords(options.file, { encoding: mapping.encoding, delimiter: mapping.delimiter, sheet: mapping.sheet })) {
      batch.push(record);
      if (batch.length >= options.batchSize) {
        await flush(batch);
        batch = [];
      }
    }
    await flush(batch);
    await flush([]);
  } catch (error) {
    // Settle the batches still in flight before reporting (no unhandled rejection).
    await Promise.allSettled(inFlight);
    throw error;
  } finally {
    bar?.stop();
    if (errorsOut) {
      errorsOut.end();
      await once(errorsOut, 'finish');
    }
  }

  const seconds = (Date.now() - started) / 1000;
  const summary: ImportSummary = { ...totals, seconds, errorsFile: errorsOut ? errorsFile : null, runIds };
  const table: [string, string][] = [
    ['kind', options.kind],
    ['file', options.file],
    ['source', options.source],
    ['mode', mode + (options.atomic ? ' (atomic)' : '')],
    ['rows', String(totals.total)],
    ['created', String(totals.created)],
    ['updated', String(totals.updated)],
    ['unchanged', String(totals.unchanged)],
    ['failed', String(totals.failed)],
    ['time', `${seconds.toFixed(1)} s (${Math.round(totals.total / Math.max(seconds, 0.001))} rows/s)`],
    ['errors', summary.errorsFile ?? '–'],
  ];
  const width = Math.max(...table.map(([k]) => k.length));
  log(`┌${'─'.repeat(width + 2)}┬${'─'.repeat(Math.max(...table.map(([, v]) => v.length)) + 2)}┐`);
  for (const [key, value] of table) log(`│ ${key.padEnd(width)} │ ${value.padEnd(Math.max(...table.map(([, v]) => v.length)))} │`);
  log(`└${'─'.repeat(width + 2)}┴${'─'.repeat(Math.max(...table.map(([, v]) => v.length)) + 2)}┘`);
  if (options.dryRun) log('Dry run: nothing was written. Fix the rows in the errors file, then run again without --dry-run.');
  return summary;
}

async function main(): Promise<void> {
  let options: ImportCliOptions;
  try {
    options = parseCommandLine(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  try {
    const summary = await runImport(options);
    process.exit(summary.failed > 0 ? 1 : 0);
  } catch (e) {
    const detail = e instanceof HuikuanError ? `${e.code}${e.reason ? ` (${e.reason})` : ''}: ${e.message}` : (e as Error).message;
    process.stderr.write(`import failed: ${detail}\n`);
    process.exit(2);
  }
}

if (require.main === module) void main();

export { FIELDS };
