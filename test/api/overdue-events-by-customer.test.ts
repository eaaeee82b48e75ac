/**
 * One customer's events, read page by page through the SDK, across the blocks of sequence
 * numbers their index is ordered by (EVENT_BLOCK events each): every page of the filtered
 * stream is the unfiltered stream's events of that customer, in the same order, from any
 * cursor, and `totalCount` counts all of them.
 */
import 'reflect-metadata';
import type { Client, OverdueEventsQuery, ReceivableImportRow } from '../../sdk/index.js';
import { EVENT_BLOCK } from '../../server/modules/overdue/overdue.queries';
import { factories, uniqueCode } from '../helpers/factories';
import { CREDIT_RULES_OFF } from '../helpers/overdue-events';
import { startTestServer, TestServer } from '../helpers/server';

type EventNode = OverdueEventsQuery['overdueEvents']['edges'][number]['node'];
interface Listed {
  cursor: string;
  node: EventNode;
}

let server: TestServer;
let finance: Client;

beforeAll(async () => {
  server = await startTestServer(CREDIT_RULES_OFF);
  finance = (await server.createUser('FINANCE')).client;
});
afterAll(() => server.close());

/** Every event after `after` (all of them without), page by page, as a client reads them. */
async function readAll(filter: { customerId?: string }, after: string | null = null, first = 200): Promise<{ listed: Listed[]; totalCount: number }> {
  const listed: Listed[] = [];
  let totalCount = -1;
  for (;;) {
    const page = (await finance.overdueEvents({ after, first, filter })).overdueEvents;
    totalCount = page.totalCount;
    listed.push(...page.edges);
    if (!page.pageInfo.hasNextPage) return { listed, totalCount };
    after = page.pageInfo.endCursor ?? null;
  }
}

test(`a customer's events read page by page across blocks of ${EVENT_BLOCK} are the stream's, in order, from any cursor`, async () => {
  const make = factories(server, { as: finance });
  const [a, b, c] = await Promise.all([make.customer(), make.customer(), make.customer()]);
  const batch = uniqueCode('BLK');
  // Events are numbered in the order of effective due dates: C's first receivable is due
  // first and its second last, so its two events lie more than a block apart; A and B
  // share the 4,998 in between (weekdays, so the effective due date is the due date).
  const rows: ReceivableImportRow[] = Array.from({ length: 5000 }, (_, i) => ({
    externalId: `${batch}-${i}`,
    customerCode: i === 0 || i === 4999 ? c.code : i % 2 === 0 ? a.code : b.code,
    reference: `${batch}-${i}`,
    amount: '10.00',
    issuedOn: '2025-01-02',
    dueOn: i === 0 ? '2025-02-03' : i === 4999 ? '2025-02-05' : '2025-02-04',
  }));
  for (let i = 0; i < rows.length; i += 1000) {
    const imported = (await finance.importReceivables({ options: { source: 'ERP', mode: 'APPLY' }, rows: rows.slice(i, i + 1000) })).importReceivables;
    expect(imported.created).toBe(1000);
  }
  expect((await make.overdueScan('2025-02-06')).becameOverdue).toBe(5000);

  const stream = await readAll({});
  expect(stream.listed).toHaveLength(5000);
  // The events' blocks (the sequence number is not in the API: read for the assertion only).
  const stored = await server.sql<{ id: string; block: number }>(`select id::text, (seq / ${EVENT_BLOCK})::int as block from overdue_event`);
  const blockOf = new Map(stored.map((e) => [e.id, e.block]));
  const blocks = stream.listed.map((e) => blockOf.get(e.node.id) ?? -1);
  // The stream spans a block boundary: the checks below read across one.
  const boundary = blocks.findIndex((block, i) => i > 0 && block !== blocks[i - 1]);
  expect(boundary).toBeGreaterThan(1);
  expect(blocks[0]).toBeLessThan(blocks[4999]);
  const ofCustomer = (id: string, from = 0) => stream.listed.slice(from).filter((e) => e.node.customer.id === id);
  const ids = (listed: Listed[]) => listed.map((e) => e.node.id);

  for (const [customer, first] of [
    [a, 200],
    [b, 37],
  ] as const) {
    const read = await readAll({ customerId: customer.id }, null, first);
    expect(ids(read.listed)).toEqual(ids(ofCustomer(customer.id)));
    expect(read.listed.length).toBeGreaterThan(2000);
    expect(read.totalCount).toBe(read.listed.length);
  }

  const ofC = await readAll({ customerId: c.id });
  expect(ids(ofC.listed)).toEqual([stream.listed[0].node.id, stream.listed[4999].node.id]);
  expect(ofC.totalCount).toBe(2);
  // From C's first event the next one is a block or more ahead.
  expect(ids((await readAll({ customerId: c.id }, ofC.listed[0].cursor)).listed)).toEqual([stream.listed[4999].node.id]);

  // From cursors of the unfiltered stream: before, at and after the block boundary.
  for (const from of [1, boundary - 1, boundary, boundary + 1, 4998]) {
    const read = await readAll({ customerId: b.id }, stream.listed[from].cursor);
    expect(ids(read.listed)).toEqual(ids(ofCustomer(b.id, from + 1)));
  }
});

test(`the index of a customer's events is ordered by blocks of EVENT_BLOCK (${EVENT_BLOCK}) sequence numbers`, async () => {
  const [index] = await server.sql<{ definition: string }>(`select pg_get_indexdef('overdue_event_customer_block_idx'::regclass) as definition`);
  expect(index.definition).toContain(`(((seq / ${EVENT_BLOCK})), customer_id, seq)`);
});
