/**
 * Benchmark of issue 12's bulk import: `npm run bench:import`.
 *
 * 1. Starts huikuan (production mode, no schedules) on a fresh database, signs in as the
 *    admin, creates BENCH_SALESPEOPLE (5) salespeople and imports BENCH_CUSTOMERS (2,000)
 *    customers with one payer account each through the CLI.
 * 2. Writes an ERP export of BENCH_RECEIVABLES (100,000) open items (Chinese headers,
 *    dates like 2026/1/4, amounts like 1,234.50) and imports it through the CLI
 *    (`node dist/scripts/import/cli.js receivables …`, batches of 1,000 over HTTP):
 *    wall time, rows/s, the server's peak RSS.
 * 3. Writes a bank statement of BENCH_BANK_LINES (100,000) lines, value dates within the
 *    last two working days: 40 % name an invoice, 25 % come from a known payer account,
 *    25 % name a customer code, 10 % match nothing; imports it through the CLI the same way.
 * 4. Sends the receivables file again (every row UNCHANGED) and times that too.
 *
 * Goals (issue 12): each import under 60 s on this machine, the server's RSS under 300 MB.
 * Knobs: the BENCH_* above, EMBEDDED_PG_PORT (55620), DATABASE_URL (an existing server with
 * CREATEDB instead of an embedded PostgreSQL), BENCH_KEEP=1 keeps everything running.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, createWriteStream, chmodSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '../sdk/index.js';
import { addDays, localDateAt } from '../server/core/local-date';
import { createBenchDatabase } from './bench-database';
import { adminEnv, BENCH_ADMIN as ADMIN, cleanUpOnce, commitOf, cpuMs, sampleRss, startHuikuan, stopAllChildren, treeCpuMs } from './bench-process';
import { envInt, markdownTable } from './bench-report';

const SALESPEOPLE = envInt('BENCH_SALESPEOPLE', 5);
const CUSTOMERS = envInt('BENCH_CUSTOMERS', 2000);
const RECEIVABLES = envInt('BENCH_RECEIVABLES', 100_000);
const BANK_LINES = envInt('BENCH_BANK_LINES', 100_000);
const PG_PORT = envInt('EMBEDDED_PG_PORT', 55620);
const CLI = path.resolve(__dirname, '../scripts/import/cli.js');
const GOAL_SECONDS = 60;
const GOAL_RSS_MB = 300;

/** Writes a CSV line by line (the files are large). */
async function writeCsv(file: string, header: string[], rows: Iterable<string[]>): Promise<void> {
  const out = createWriteStream(file, { encoding: 'utf8' });
  const cell = (c: string) => (/[",]/.test(c) ? `"${c}"` : c);
  out.write(`${header.join(',')}\n`);
  for (const row of rows) if (!out.write(`${row.map(cell).join(',')}\n`)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

const slash = (date: string) => date.replace(/^(\d{4})-0?(\d{1,2})-0?(\d{1,2})$/, '$1/$2/$3');
const amountText = (cents: number) => `${Math.floor(cents / 100).toLocaleString('en-US')}.${String(cents % 100).padStart(2, '0')}`;

interface CliRun {
  seconds: number;
  peakRssMb: number;
  /** CPU seconds of the server, of PostgreSQL (all backends) and of the CLI process. */
  cpu: { server: number; postgres: number; cli: number };
  exitCode: number | null;
  output: string;
}

/** CPU ms of the bench's process tree, the server's and PostgreSQL's, to tell the CLI's own share. */
function cpuNow(serverPid: number, postgresPid: number | undefined) {
  return { tree: treeCpuMs(process.pid), own: cpuMs(process.pid), server: treeCpuMs(serverPid), postgres: postgresPid ? treeCpuMs(postgresPid) : 0 };
}

async function runCli(serverPid: number, postgresPid: number | undefined, args: string[], token: string): Promise<CliRun> {
  const rss = sampleRss(serverPid, 100);
  const before = cpuNow(serverPid, postgresPid);
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [CLI, ...args, '--no-progress'], { env: { ...process.env, HUIKUAN_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const [exitCode] = (await once(child, 'exit')) as [number | null];
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const after = cpuNow(serverPid, postgresPid);
  const server = (after.server - before.server) / 1000;
  const postgres = (after.postgres - before.postgres) / 1000;
  const cli = (after.tree - before.tree) / 1000 - server - postgres - (after.own - before.own) / 1000;
  return { seconds, peakRssMb: rss.stop().peakMb, cpu: { server, postgres, cli }, exitCode, output };
}

async function main(): Promise<void> {
  const loadBefore = os.loadavg()[0].toFixed(1);
  // The CSV folder after the database: an interrupt while the database is made leaves nothing.
  const db = await createBenchDatabase('import', PG_PORT);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'huikuan-bench-import-'));
  chmodSync(dir, 0o755);
  const cleanUp = cleanUpOnce(async () => {
    try {
      await stopAllChildren();
      await db.drop();
    } finally {
      // Also when the drop fails: a terminal's Ctrl-C stops the embedded PostgreSQL before we can.
      rmSync(dir, { recursive: true, force: true });
    }
  });
  try {
    const server = await startHuikuan(db.databaseUrl, { ...adminEnv });
    const anonymous = createClient({ url: server.url });
    const { login } = await anonymous.login(ADMIN);
    const admin = createClient({ url: server.url, token: login.token });
    const today = localDateAt(new Date(), 'Asia/Shanghai');
    const sales = [];
    for (let i = 0; i < SALESPEOPLE; i++) {
      sales.push(
        (
          await admin.createUser({
            input: { email: `bench-sales-${i}@example.com`, name: `Bench Sales ${i}`, role: 'SALES', password: `Bench-Sales-Pebble-${i}7` },
          })
        ).createUser,
      );
    }
    const code = (c: number) => `C${String(c).padStart(5, '0')}`;
    const account = (c: number) => `6222 0210 ${String(c).padStart(4, '0')} 0001`;

    // Customers.
    const customersFile = path.join(dir, 'customers.csv');
    await writeCsv(
      customersFile,
      ['客户编号', '客户名称', '业务员邮箱', '账期天数', '信用额度', '付款账号'],
      (function* () {
        for (let c = 0; c < CUSTOMERS; c++) yield [code(c), `客户 ${c}`, sales[c % SALESPEOPLE].email, '30', '500,000.00', account(c)];
      })(),
    );
    writeFileSync(
      path.join(dir, 'customers.map.json'),
      JSON.stringify({
        columns: {
          externalId: '客户编号',
          code: '客户编号',
          name: '客户名称',
          ownerEmail: '业务员邮箱',
          creditTermDays: '账期天数',
          creditLimit: '信用额度',
          payerAccounts: '付款账号',
        },
      }),
    );
    const customers = await runCli(
      server.pid,
      db.postgresPid,
      ['customers', customersFile, '--source', 'ERP', '--map', path.join(dir, 'customers.map.json'), '--server', server.url],
      login.token,
    );
    if (customers.exitCode !== 0) throw new Error(`customer import failed:\n${customers.output}`);

    // Receivables: amounts 100.00–9,999.99, issued over the last 120 days, due 30 days later.
    const amountOf = (i: number) => 10_000 + ((i * 7919) % 990_000);
    const receivablesFile = path.join(dir, 'open-items.csv');
    await writeCsv(
      receivablesFile,
      ['凭证号', '客户编号', '发票号', '金额', '开票日期', '到期日'],
      (function* () {
        for (let i = 0; i < RECEIVABLES; i++) {
          const issued = addDays(today, -(i % 120));
          yield [`AR-${i}`, code(i % CUSTOMERS), `INV-${String(i).padStart(7, '0')}`, amountText(amountOf(i)), slash(issued), slash(addDays(issued, 30))];
        }
      })(),
    );
    writeFileSync(
      path.join(dir, 'open-items.map.json'),
      JSON.stringify({
        columns: { externalId: '凭证号', customerCode: '客户编号', reference: '发票号', amount: '金额', issuedOn: '开票日期', dueOn: '到期日' },
        dateFormat: 'YYYY/M/D',
      }),
    );
    const receivables = await runCli(
      server.pid,
      db.postgresPid,
      ['receivables', receivablesFile, '--source', 'ERP', '--map', path.join(dir, 'open-items.map.json'), '--server', server.url],
      login.token,
    );
    if (receivables.exitCode !== 0) throw new Error(`receivable import failed:\n${receivables.output}`);

    // Bank lines.
    const bankFile = path.join(dir, 'bank.csv');
    await writeCsv(
      bankFile,
      ['流水号', '起息日', '金额', '对方户名', '对方账号', '摘要'],
      (function* () {
        for (let i = 0; i < BANK_LINES; i++) {
          const kind = i % 20;
          const c = (i * 37) % CUSTOMERS;
          const valueDate = slash(addDays(today, -(i % 2)));
          if (kind < 8) {
            const inv = (i * 13) % RECEIVABLES;
            yield [
              `B-${i}`,
              valueDate,
              amountText(amountOf(inv)),
              `客户 ${inv % CUSTOMERS}`,
              '9999 0000 0000 0000',
              `货款 INV-${String(inv).padStart(7, '0')}`,
            ];
          } else if (kind < 13) yield [`B-${i}`, valueDate, amountText(50_000), `客户 ${c}`, account(c), '货款'];
          else if (kind < 18) yield [`B-${i}`, valueDate, amountText(30_000), `客户 ${c}`, '9999 0000 0000 0001', `${code(c)} 十一月`];
          else yield [`B-${i}`, valueDate, amountText(12_345), '张三', `6228 ${String(i).padStart(8, '0')}`, '转账'];
        }
      })(),
    );
    writeFileSync(
      path.join(dir, 'bank.map.json'),
      JSON.stringify({
        columns: { externalId: '流水号', valueDate: '起息日', amount: '金额', payerName: '对方户名', payerAccount: '对方账号', reference: '摘要' },
        dateFormat: 'YYYY/M/D',
      }),
    );
    const bank = await runCli(
      server.pid,
      db.postgresPid,
      [
        'payments',
        bankFile,
        '--source',
        'BANK-ICBC',
        '--map',
        path.join(dir, 'bank.map.json'),
        '--server',
        server.url,
        '--lag-reason',
        'bench: statement of the last days',
      ],
      login.token,
    );
    if (bank.exitCode !== 0) throw new Error(`bank import failed:\n${bank.output}`);

    const again = await runCli(
      server.pid,
      db.postgresPid,
      ['receivables', receivablesFile, '--source', 'ERP', '--map', path.join(dir, 'open-items.map.json'), '--server', server.url],
      login.token,
    );
    if (again.exitCode !== 0 || !/unchanged\s+│ (\d+)/.exec(again.output)?.[1]) throw new Error(`second receivable import failed:\n${again.output}`);

    const unapplied = (await admin.unappliedBankLines({ first: 0 })).unappliedBankLines.totalCount;
    const row = (what: string, rows: number, run: CliRun) => [
      what,
      rows.toLocaleString('en-US'),
      run.seconds.toFixed(1),
      Math.round(rows / run.seconds).toLocaleString('en-US'),
      run.peakRssMb.toFixed(0),
      `${run.cpu.server.toFixed(1)} / ${run.cpu.postgres.toFixed(1)} / ${run.cpu.cli.toFixed(1)}`,
      run.seconds < GOAL_SECONDS && run.peakRssMb < GOAL_RSS_MB ? 'yes' : 'NO',
    ];
    const table = markdownTable(
      [
        'import (CLI → HTTP → server)',
        'rows',
        'wall s',
        'rows/s',
        'server peak RSS MB',
        'CPU s server / PostgreSQL / CLI',
        `< ${GOAL_SECONDS} s, < ${GOAL_RSS_MB} MB`,
      ],
      [
        row('customers', CUSTOMERS, customers),
        row('receivables (ERP open items)', RECEIVABLES, receivables),
        row('bank lines (matched and booked)', BANK_LINES, bank),
        row('receivables again (all UNCHANGED)', RECEIVABLES, again),
      ],
    );
    process.stdout.write(
      `\n## Bulk import (issue 12), ${new Date().toISOString().slice(0, 10)}, commit ${commitOf()}, ${os.cpus().length} cores, load average ${loadBefore} before, ${os.loadavg()[0].toFixed(1)} after\n\n${table}\n`,
    );
    process.stdout.write(`\nBank lines left unmatched (unappliedBankLines): ${unapplied.toLocaleString('en-US')}\n`);
    process.stdout.write(`\nbank CLI summary:\n${bank.output}\n`);
    if (process.env.BENCH_KEEP === '1') {
      process.stdout.write(`\nBENCH_KEEP=1: server ${server.url}, files in ${dir}; Ctrl-C to stop\n`);
      await new Promise(() => undefined);
    }
  } finally {
    await cleanUp();
  }
}

main().catch(async (e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  await stopAllChildren();
  process.exit(1);
});
