/**
 * One way to write SQL: hand-written SQL lives in `<area>.queries.ts` files, written with
 * `server/db/sql.ts` (named parameters, a decoder per row). Only `server/db/` sends SQL
 * itself (`em.execute`, knex `raw`); migrations are the other exception. This test reads
 * the server's sources and names every line that breaks the rule.
 */
import fs from 'node:fs';
import path from 'node:path';

const SERVER = path.resolve(__dirname, '../../server');

/** A call of `.execute(` or `.raw(`, however spaced. */
const RAW_SQL_CALL = /\.\s*(execute|raw)\s*\(/;

function typeScriptFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Paths relative to `server/`, with forward slashes. */
function mayCallRawSql(relative: string): boolean {
  return relative.startsWith('db/') || relative.split('/').includes('migrations');
}

function offendingLines(source: string): string[] {
  return source
    .split('\n')
    .map((line, i) => ({ line: line.trim(), number: i + 1 }))
    .filter(({ line }) => RAW_SQL_CALL.test(line))
    .map(({ line, number }) => `${number}: ${line}`);
}

test('the check recognises raw SQL calls and lets query objects pass', () => {
  expect(offendingLines("const rows = await em.execute('select 1');")).toEqual(["1: const rows = await em.execute('select 1');"]);
  expect(offendingLines('x\nawait em.execute(em.getKnex().raw(SCAN_SQL, { asOf }));')).toHaveLength(1);
  expect(offendingLines('await this.em\n  .execute(sql, params);')).toEqual(['2: .execute(sql, params);']);
  expect(offendingLines('const raw = em.getKnex().raw (text);')).toHaveLength(1);
  expect(offendingLines('const rows = await CUSTOMER_BALANCES.all(em, { ids });\nawait MOVE_ITEMS.run(em, params);\nrow.raw;')).toEqual([]);
});

test('the check knows where raw SQL is allowed', () => {
  expect(mayCallRawSql('db/sql.ts')).toBe(true);
  expect(mayCallRawSql('db/migrations/Migration20261129000000_ledger.ts')).toBe(true);
  expect(mayCallRawSql('modules/overdue/migrations/Migration20261129010000_overdue.ts')).toBe(true);
  expect(mayCallRawSql('modules/overdue/overdue.service.ts')).toBe(false);
  expect(mayCallRawSql('modules/feedback/feedback.queries.ts')).toBe(false);
  expect(mayCallRawSql('app.ts')).toBe(false);
});

test('no server module outside server/db/ and migrations sends SQL with .execute( or .raw(', () => {
  const files = typeScriptFiles(SERVER);
  expect(files.length).toBeGreaterThan(50);
  const offenders = files
    .map((file) => ({ file: path.relative(SERVER, file).split(path.sep).join('/'), lines: offendingLines(fs.readFileSync(file, 'utf8')) }))
    .filter(({ file, lines }) => !mayCallRawSql(file) && lines.length > 0)
    .map(({ file, lines }) => `server/${file}\n  ${lines.join('\n  ')}`);
  expect(offenders).toEqual([]);
});
