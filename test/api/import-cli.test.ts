/**
 * `npm run import` against a real server, as a finance clerk runs it: a 5,000-row ERP
 * export (Chinese headers, dates like 2026/1/4, amounts like 1,234.50) imported twice —
 * the second time every row UNCHANGED and the ledger identical — the same file as GBK CSV
 * and as XLSX reading exactly the same, and a file with bad rows: each written to
 * `<file>.errors.csv` with its line and reason, the good rows applied, exit code 1.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { runImport, type ImportCliOptions } from '../../scripts/import/cli';
import { factories, uniqueCode } from '../helpers/factories';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server';

let server: TestServer;
let finance: TestUser;
let dir: string;
const HEADER = ['凭证号', '客户编号', '发票号', '金额', '开票日期', '到期日'];

beforeAll(async () => {
  server = await startTestServer();
  finance = await server.createUser('FINANCE');
  dir = mkdtempSync(path.join(tmpdir(), 'hk-import-'));
  writeFileSync(
    path.join(dir, 'map.json'),
    JSON.stringify({
      columns: { externalId: '凭证号', customerCode: '客户编号', reference: '发票号', amount: '金额', issuedOn: '开票日期', dueOn: '到期日' },
      dateFormat: 'YYYY/M/D',
    }),
  );
});
afterAll(() => server.close());

const csv = (rows: string[][]) => [HEADER, ...rows].map((r) => r.map((c) => (/[",]/.test(c) ? `"${c}"` : c)).join(',')).join('\r\n') + '\r\n';

function options(file: string, overrides: Partial<ImportCliOptions> = {}): ImportCliOptions {
  return {
    kind: 'receivables',
    file,
    source: 'ERP',
    map: path.join(dir, 'map.json'),
    dryRun: false,
    atomic: false,
    batchSize: 1000,
    concurrency: 2,
    server: server.url,
    token: finance.token,
    progress: false,
    ...overrides,
  };
}

const quiet = () => undefined;

async function fingerprint(): Promise<string> {
  const [row] = await server.sql<{ digest: string }>(
    `select md5(coalesce((select string_agg(r::text, '|' order by r.id) from receivable r), '')
             || coalesce((select string_agg(k::text, '|' order by k.kind, k.source, k.external_id) from import_key k), '')) as digest`,
  );
  return row.digest;
}

test('a 5,000-row ERP export twice (UTF-8 CSV), then as GBK CSV and XLSX: the same rows, nothing changes', async () => {
  const make = factories(server, { as: finance.client });
  const customers = await Promise.all(Array.from({ length: 4 }, () => make.customer({ name: '金华贸易' })));
  const batch = uniqueCode('ERP');
  const rows = Array.from({ length: 5000 }, (_, i) => [
    `${batch}-${i}`,
    customers[i % 4].code,
    `${batch}-发票-${i}`,
    `${(1000 + i * 7).toLocaleString('en-US')}.${String(i % 100).padStart(2, '0')}`,
    `2026/${1 + (i % 9)}/${1 + (i % 28)}`,
    i % 4 === 0 ? '' : `2026/${2 + (i % 9)}/${1 + (i % 28)}`,
  ]);
  const utf8 = path.join(dir, 'open-items.csv');
  writeFileSync(utf8, `\uFEFF${csv(rows)}`);

  const first = await runImport(options(utf8), quiet);
  expect(first).toMatchObject({ total: 5000, created: 5000, failed: 0, errorsFile: null });
  const before = await fingerprint();
  const second = await runImport(options(utf8), quiet);
  expect(second).toMatchObject({ total: 5000, unchanged: 5000, created: 0, updated: 0, failed: 0 });
  expect(await fingerprint()).toBe(before);
  const { receivables } = await finance.client.receivables({ filter: { search: `${batch}-发票-4999` }, first: 1 });
  expect(receivables.edges[0].node).toMatchObject({ reference: `${batch}-发票-4999`, amount: '35993.99', issuedOn: '2026-05-16', dueOn: '2026-06-16' });

  // The same open items as a GBK CSV (as Chinese ERPs export) and as XLSX read the same rows: all UNCHANGED.
  const gbk = path.join(dir, 'open-items-gbk.csv');
  writeFileSync(gbk, iconv.encode(csv(rows.slice(0, 1500)), 'gbk'));
  writeFileSync(path.join(dir, 'map-gbk.json'), JSON.stringify({ ...JSON.parse(readFileSync(path.join(dir, 'map.json'), 'utf8')), encoding: 'gbk' }));
  expect(await runImport(options(gbk, { map: path.join(dir, 'map-gbk.json') }), quiet)).toMatchObject({ total: 1500, unchanged: 1500, failed: 0 });

  const xlsx = path.join(dir, 'open-items.xlsx');
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('应收明细');
  sheet.addRow(HEADER);
  for (const row of rows.slice(0, 1500)) sheet.addRow(row);
  await workbook.xlsx.writeFile(xlsx);
  expect(await runImport(options(xlsx), quiet)).toMatchObject({ total: 1500, unchanged: 1500, failed: 0 });
  expect(await fingerprint()).toBe(before);
});

test('bad rows go to <file>.errors.csv with line and reason, the good rows apply, and the exit code is 1', async () => {
  const make = factories(server, { as: finance.client });
  const customer = await make.customer();
  const batch = uniqueCode('BAD');
  const rows = Array.from({ length: 100 }, (_, i) => [`${batch}-${i}`, customer.code, `${batch}-${i}`, '1,234.50', '2026/1/4', '']);
  rows[4][4] = '2026/13/45';
  rows[9][1] = 'NO-SUCH-CUSTOMER';
  rows[19][3] = '12.345';
  const file = path.join(dir, 'bad.csv');
  writeFileSync(file, csv(rows));
  const cli = path.resolve(__dirname, '../../dist/scripts/import/cli.js');
  const run = spawnSync(process.execPath, [cli, 'receivables', file, '--source', 'ERP', '--map', path.join(dir, 'map.json'), '--server', server.url], {
    env: { PATH: process.env.PATH ?? '', HUIKUAN_TOKEN: finance.token },
    encoding: 'utf8',
  });
  expect(run.status).toBe(1);
  expect(run.stdout).toMatch(/failed\s+│ 3 /);
  const errors = readFileSync(`${file}.errors.csv`, 'utf8')
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n');
  expect(errors[0]).toBe('line,凭证号,客户编号,发票号,金额,开票日期,到期日,field,reason,message');
  expect(
    errors.slice(1).map(
      (l) =>
        l.split(',')[0] +
        ' ' +
        l
          .match(/,(\w+),([A-Z_]+),/)!
          .slice(1)
          .join(' '),
    ),
  ).toEqual(['6 issuedOn INVALID_DATE', '11 customerCode NOT_FOUND', '21 amount INVALID_FORMAT']);
  const [count] = await server.sql<{ n: string }>('select count(*) as n from receivable where customer_id = $1', [customer.id]);
  expect(Number(count.n)).toBe(97);
});
