/**
 * The arrows of the house point down in SQL too: no statement of the overdue engine names
 * a table that an area above it creates (the disputes area's `dispute`, the promises'
 * `promise_to_pay`, …). What the engine must know of them (a dispute freezes its amount)
 * the higher area writes into the engine's own tables (`overdue_freeze`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { AREAS } from '../../server/registry';
import * as overdueQueries from '../../server/modules/overdue/overdue.queries';

const MODULES = path.resolve(__dirname, '../../server/modules');

/** Tables created by the migrations of the areas listed after `area` in the registry. */
function tablesAbove(area: string): string[] {
  const above = AREAS.slice(AREAS.findIndex((a) => a.name === area) + 1);
  return above.flatMap(({ name }) => {
    const dir = path.join(MODULES, name, 'migrations');
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir)
      .flatMap((file) => [...fs.readFileSync(path.join(dir, file), 'utf8').matchAll(/create table (?:if not exists )?([a-z_][a-z0-9_]*)/g)])
      .map((m) => m[1]);
  });
}

test('the tables of the areas above the engine are found', () => {
  expect(tablesAbove('overdue')).toEqual(expect.arrayContaining(['dispute', 'promise_to_pay', 'collection_activity']));
});

test("no SQL of the overdue engine names a table of an area above it (JUDGE reads overdue_freeze, not the disputes area's dispute)", () => {
  const tables = tablesAbove('overdue');
  const offending: string[] = [];
  for (const [name, value] of Object.entries(overdueQueries)) {
    const source = (value as { text?: unknown })?.text;
    if (typeof source !== 'string') continue;
    // Comments may speak of disputes; the statement may not read their table.
    const text = source.replace(/--[^\n]*/g, '');
    for (const table of tables) if (new RegExp(`\\b${table}\\b`).test(text)) offending.push(`${name}: ${table}`);
  }
  expect(offending).toEqual([]);
  expect(overdueQueries.JUDGE.text).toMatch(/\boverdue_freeze\b/);
});
