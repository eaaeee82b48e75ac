/**
 * The collection worklist, black-box through the SDK on a fixed clock: the order of a
 * salesperson's Monday (priorities computed by hand below), the lookahead on the business
 * calendar, disputed money leaving the chase, SALES isolation, pagination; then Friday,
 * after the scan broke a promise.
 *
 * Priority (docs/metrics.md, "Collection worklist"), OVERDUE_STAGES 1,30,60,90:
 *   1000 × stage rank + ⌊chased overdue / 1000.00⌋ (≤ 1000) + 500 × broken promises (≤ 3)
 *   + 20 × days since the last contact (never contacted: days overdue; ≤ 30; only with
 *   chased overdue money) − 1500 when the latest promise is OPEN and not yet due.
 *
 * Li's customers on Monday 2026-12-07 (lookahead 3 working days: Tue, Wed, Thu → 12-10):
 *   A  5000.00 due Fri 10-30: 38 days, stage 30 (rank 2); never contacted
 *      2000 + 5 + 20 × min(38, 30) = 2605
 *   E  2000.00 due Fri 11-20 (17 days, stage 1), 1500.00 disputed: chased 500.00
 *      1000 + 0 + 20 × 17 = 1340
 *   B 12500.00 due 11-20 (17 days); reached on Fri 12-04 (next action Tue 12-08)
 *      1000 + 12 + 20 × 3 = 1072
 *   F  4000.00 due Thu 12-10: not overdue, due within the lookahead: 0
 *   C  8000.00 due 11-20 (17 days); Sunday 12-06 call, promise of 8000.00 by Tue 12-08
 *      1000 + 8 + 20 × 1 − 1500 = −472
 *   D  3000.00 due 11-20, fully disputed: not on the list
 *   G  1000.00 due Fri 12-11: after the horizon, not on the list (until Wed is a holiday)
 * Wang's customer W 1000.00 due 11-20, never contacted: 1000 + 1 + 20 × 17 = 1341.
 */
import { type CollectionWorklistQuery } from '../../sdk/index.js';
import { factories, type Factories } from '../helpers/factories';
import { expectApiError, rejection, startTestServer, type TestServer, type TestUser } from '../helpers/server';

const MON = '2026-12-07';
const FRI = '2026-12-11';

let server: TestServer;
let make: Factories;
let li: TestUser;
let wang: TestUser;
let manager: TestUser;
const ids: Record<string, string> = {};

type Item = CollectionWorklistQuery['collectionWorklist']['edges'][number]['node'];

async function worklist(user: TestUser, args: { date?: string; salespersonId?: string } = {}): Promise<Item[]> {
  const items: Item[] = [];
  let after: string | null | undefined;
  for (;;) {
    const { collectionWorklist } = await user.client.collectionWorklist({ ...args, first: 200, after });
    items.push(...collectionWorklist.edges.map((e) => e.node));
    if (!collectionWorklist.pageInfo.hasNextPage) return items;
    after = collectionWorklist.pageInfo.endCursor;
  }
}

const order = (items: Item[]) => items.map((i) => `${i.customerName} ${i.priority}`);

beforeAll(async () => {
  server = await startTestServer({ CLOCK_DATE: MON });
  make = factories(server, { today: MON });
  li = await server.createUser('SALES', 'Li Na');
  wang = await server.createUser('SALES', 'Wang Wei');
  manager = await server.createUser('MANAGER', 'Zhao Min');
  const customer = async (name: string, ownerId: string, amount: string, dueOn: string) => {
    ids[name] = (await make.customer({ ownerId, name, code: `WL-${name}` })).id;
    ids[`r${name}`] = (await make.receivable(ids[name], { reference: `INV-${name}`, amount, issuedOn: '2026-10-01', dueOn })).id;
  };
  await customer('A', li.id, '5000.00', '2026-10-30');
  await customer('B', li.id, '12500.00', '2026-11-20');
  await customer('C', li.id, '8000.00', '2026-11-20');
  await customer('D', li.id, '3000.00', '2026-11-20');
  await customer('E', li.id, '2000.00', '2026-11-20');
  await customer('F', li.id, '4000.00', '2026-12-10');
  await customer('G', li.id, '1000.00', '2026-12-11');
  await customer('W', wang.id, '1000.00', '2026-11-20');
  await make.overdueScan(MON);

  await li.client.openDispute({ input: { receivableId: ids.rD, amount: '3000.00', category: 'QUALITY', reason: 'Broken on arrival' } });
  await li.client.openDispute({ input: { receivableId: ids.rE, amount: '1500.00', category: 'PRICE', reason: 'Price not as agreed' } });
  await li.client.logCollectionActivity({
    input: {
      customerId: ids.B,
      kind: 'CALL',
      outcome: 'REACHED',
      occurredAt: '2026-12-04T02:00:00.000Z', // Fri 10:00 in Shanghai
      nextActionOn: '2026-12-08',
      idempotencyKey: 'wl-b-1',
    },
  });
  await li.client.logCollectionActivity({
    input: {
      customerId: ids.C,
      receivableIds: [ids.rC],
      kind: 'CALL',
      outcome: 'PROMISED',
      occurredAt: '2026-12-06T07:00:00.000Z', // Sun 15:00
      promise: { amount: '8000.00', promisedOn: '2026-12-08' },
      idempotencyKey: 'wl-c-1',
    },
  });
});
afterAll(() => server?.close());

describe('Monday', () => {
  test("Li's worklist: the order computed by hand, figures and parts", async () => {
    const items = await worklist(li, { date: MON });
    expect(order(items)).toEqual(['A 2605', 'E 1340', 'B 1072', 'F 0', 'C -472']);
    const [a, e, b, f, c] = items;
    expect(a).toMatchObject({
      outstanding: '5000.00',
      overdueAmount: '5000.00',
      chasedOverdueAmount: '5000.00',
      highestStage: 30,
      daysOverdue: 38,
      lastContactOn: null,
      promise: null,
      creditStatus: expect.any(String),
      priorityParts: { stage: 2000, amount: 5, brokenPromises: 0, silence: 600, openPromise: 0 },
    });
    // Disputed money stays in the figures but leaves the chase.
    expect(e).toMatchObject({ overdueAmount: '2000.00', chasedOverdueAmount: '500.00', openDisputes: 1, disputedAmount: '1500.00', highestStage: 1 });
    expect(b).toMatchObject({ lastContactOn: '2026-12-04', daysSinceContact: 3, nextActionOn: '2026-12-08', priorityParts: { silence: 60, amount: 12 } });
    expect(f).toMatchObject({ overdueAmount: '0.00', dueSoonAmount: '4000.00', nextDueOn: '2026-12-10', highestStage: null, daysOverdue: null });
    expect(c.promise).toMatchObject({
      amount: '8000.00',
      promisedOn: '2026-12-08',
      dueOn: '2026-12-08',
      deadlineOn: '2026-12-09',
      state: 'OPEN',
      notYetDue: true,
    });
    expect(c.priorityParts).toEqual({ stage: 1000, amount: 8, brokenPromises: 0, silence: 20, openPromise: 1500 });
    // The date defaults to today.
    expect(order(await worklist(li))).toEqual(order(items));
  });

  test('SALES isolation: own customers only; another salesperson is FORBIDDEN; other roles', async () => {
    expect(order(await worklist(wang))).toEqual(['W 1341']);
    expect(order(await worklist(li, { salespersonId: li.id }))).toHaveLength(5);
    await expectApiError(li.client.collectionWorklist({ salespersonId: wang.id }), 'FORBIDDEN');
    expect(order(await worklist(manager))).toEqual(['A 2605', 'W 1341', 'E 1340', 'B 1072', 'F 0', 'C -472']);
    expect(order(await worklist(manager, { salespersonId: wang.id }))).toEqual(['W 1341']);
    await expectApiError(manager.client.collectionWorklist({ salespersonId: '00000000-0000-4000-8000-000000000000' }), 'NOT_FOUND');
    const lead = await server.createUser('PROJECT_LEAD');
    await expectApiError(lead.client.collectionWorklist({}), 'FORBIDDEN');
  });

  test('pagination: pages of two give the same items, a stable cursor, the total', async () => {
    const all = await worklist(manager);
    const seen: Item[] = [];
    let after: string | null | undefined;
    for (let page = 0; page < 5; page++) {
      const { collectionWorklist } = await manager.client.collectionWorklist({ first: 2, after });
      expect(collectionWorklist.totalCount).toBe(6);
      seen.push(...collectionWorklist.edges.map((e) => e.node));
      after = collectionWorklist.pageInfo.endCursor;
      if (!collectionWorklist.pageInfo.hasNextPage) break;
    }
    expect(order(seen)).toEqual(order(all));
    // Past the end: an empty page that still counts.
    const { collectionWorklist: end } = await manager.client.collectionWorklist({ first: 2, after });
    expect(end).toMatchObject({ totalCount: 6, edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
    const bad = await rejection(manager.client.collectionWorklist({ after: 'bm90IGEgY3Vyc29y' }));
    expect(bad).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_CURSOR' });
  });

  test('the lookahead counts working days: a holiday on Wednesday brings Friday 12-11 into it', async () => {
    await make.calendarDay('2026-12-09', 'HOLIDAY', 'Test holiday');
    const items = await worklist(li);
    expect(order(items)).toEqual(['A 2605', 'E 1340', 'B 1072', 'F 0', 'G 0', 'C -472']);
    expect(items[4]).toMatchObject({ dueSoonAmount: '1000.00', nextDueOn: '2026-12-11' });
  });
});

describe('Friday', () => {
  beforeAll(async () => {
    await server.restart({ CLOCK_DATE: FRI });
    await make.overdueScan(FRI);
  });

  /*
   * Friday 2026-12-11 (horizon Mon, Tue, Wed → 12-16):
   *   A 42 days: 2000 + 5 + 600 = 2605
   *   C promise due Tue 12-08, deadline one working day later: Thu 12-10 since Wednesday
   *     became a holiday (the deadline moved with the calendar); nothing arrived: BROKEN on 12-11;
   *     21 days: 1000 + 8 + 500 + 20 × 5 = 1608
   *   E 21 days, chased 500.00, never contacted: 1000 + 0 + 20 × 21 (≤ 30) = 1420
   *   B 21 days, contacted 12-04: 1000 + 12 + 20 × 7 = 1152
   *   F due Thu 12-10 (effective: Wed is a holiday now, but 12-10 is a Thursday): 1 day:
   *     1000 + 4 + 20 × 1 = 1024
   *   G due today: 0
   */
  test("a broken promise pushes the customer up; yesterday's soon-due money is overdue", async () => {
    const items = await worklist(li);
    expect(order(items)).toEqual(['A 2605', 'C 1608', 'E 1420', 'B 1152', 'F 1024', 'G 0']);
    expect(items[1]).toMatchObject({ brokenPromises: 1, promise: { state: 'BROKEN', deadlineOn: '2026-12-10', notYetDue: false } });
    // The worklist of an earlier date is a read-only question with the ledger as it is now.
    expect(order(await worklist(li, { date: MON })).slice(0, 3)).toEqual(['A 2605', 'E 1340', 'B 1072']);
  });

  test('disputed money leaves the chase; INVALID brings it back', async () => {
    expect((await worklist(li)).some((i) => i.customerName === 'D')).toBe(false);
    const { disputes } = await manager.client.disputes({ filter: { receivableId: ids.rD } });
    await manager.client.resolveDispute({ id: disputes.edges[0].node.id, outcome: 'INVALID', note: 'Photos show no damage' });
    const d = (await worklist(li)).find((i) => i.customerName === 'D');
    // 21 days, 3000.00, never contacted: 1000 + 3 + 20 × 21 = 1423
    expect(d).toMatchObject({ priority: 1423, chasedOverdueAmount: '3000.00', openDisputes: 0, disputedAmount: '0.00' });
  });

  test('WORKLIST_LOOKAHEAD_DAYS=0: overdue money and money due on the date itself', async () => {
    await li.client.logCollectionActivity({
      input: { customerId: ids.F, kind: 'MESSAGE', outcome: 'REACHED', occurredAt: '2026-12-10T02:00:00.000Z', idempotencyKey: 'wl-f-1' },
    });
    await make.receivable(ids.G, { reference: 'INV-G2', amount: '500.00', issuedOn: '2026-11-01', dueOn: '2026-12-14' });
    await server.restart({ CLOCK_DATE: FRI, WORKLIST_LOOKAHEAD_DAYS: '0' });
    // F contacted Thursday: 1000 + 4 + 20 × 1 = 1024 still (1 day overdue either way). G: due today 1000.00;
    // its new 500.00 due Monday 12-14 is outside a horizon of 0 days.
    const items = await worklist(li);
    expect(order(items)).toEqual(['A 2605', 'C 1608', 'D 1423', 'E 1420', 'B 1152', 'F 1024', 'G 0']);
    expect(items[6]).toMatchObject({ dueSoonAmount: '1000.00', outstanding: '1500.00', nextDueOn: FRI });
  });
});
