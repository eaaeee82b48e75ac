/**
 * A settled promise to pay is judged again when what settled it changes, and only then:
 * a KEPT promise whose payment is voided is OPEN again before its deadline and BROKEN
 * after it, each with its event, judged at once as of the engine's date; a holiday
 * declared on a promised date moves the rolled dates like a due date. A settled promise
 * nothing touched is not read by the next judgements (the `rejudge` mark, cleared by
 * each judgement; docs/metrics.md, "Promises to pay", shows the plan of a steady scan).
 *
 * Li's customer (Asia/Shanghai, no holidays until one is declared, PROMISE_GRACE_WORKING_DAYS
 * 1, credit rules off). R1 1000.00, R2 600.00, R3 400.00, due Fri 2026-11-20.
 *   Mon 12-07: P1 1000.00 of R1 by Wed 12-09 (deadline Thu 12-10); P2 600.00 of R2 by Tue
 *              12-08 (deadline Wed 12-09); P3 400.00 of R3 by Fri 12-11 (deadline Mon 12-14).
 *              Payment A 1000.00 for R1 and B 600.00 for R2 arrive and are booked: P1, P2 KEPT.
 *              A is voided: P1 (Mon ≤ its deadline) is OPEN again: PROMISE_REOPENED.
 *              Fri 12-11 is declared a holiday: P3 is due Mon 12-14, deadline Tue 12-15.
 *   Thu 12-10: the scan finds P1 OPEN still (Thu ≤ deadline Thu): no event.
 *   Fri 12-11: the scan breaks P1 (nothing arrived by Wed 12-09): PROMISE_BROKEN.
 *              B is voided: P2, past its deadline, is BROKEN: PROMISE_BROKEN, previousState KEPT.
 */
import { factories, type Factories } from '../helpers/factories';
import { CREDIT_RULES_OFF } from '../helpers/overdue-events';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server';

const MON = '2026-12-07';
const THU = '2026-12-10';
const FRI = '2026-12-11';
const env = (today: string) => ({ ...CREDIT_RULES_OFF, CLOCK_DATE: today, WEEKLY_ANALYSIS_AT: 'off' });

let server: TestServer;
let make: Factories;
let li: TestUser;
let finance: TestUser;
let customerId: string;
const ids: Record<string, string> = {};
const payments: Record<string, string> = {};

beforeAll(async () => {
  server = await startTestServer(env(MON));
  finance = await server.createUser('FINANCE');
  li = await server.createUser('SALES', 'Li Na');
  make = factories(server, { as: finance.client, today: MON, ownerId: li.id });
  customerId = (await make.customer({ code: 'REJUDGE' })).id;
  for (const [reference, amount] of [
    ['R1', '1000.00'],
    ['R2', '600.00'],
    ['R3', '400.00'],
  ]) {
    ids[reference] = (await make.receivable(customerId, { reference, amount, issuedOn: '2026-10-21', dueOn: '2026-11-20' })).id;
  }
  await make.overdueScan(MON);
}, 120_000);
afterAll(() => server?.close());

/** The promise events of the stream, one line each. */
async function promiseEvents(): Promise<string[]> {
  const { overdueEvents } = await finance.client.overdueEvents({
    first: 200,
    filter: { types: ['PROMISE_MADE', 'PROMISE_KEPT', 'PROMISE_BROKEN', 'PROMISE_REOPENED'] },
  });
  return overdueEvents.edges.map(({ node: e }) => [e.asOf, e.type, e.receivable?.reference, e.state, e.previousState].filter(Boolean).join(' '));
}

async function promise(reference: string) {
  const { promises } = await li.client.promises({ customerId });
  return promises.nodes.find((p) => p.receivables.some((r) => r.id === ids[reference]))!;
}

const marked = async (): Promise<number> => (await server.sql<{ n: number }>('select count(*)::int as n from promise_to_pay where rejudge'))[0].n;

describe('Monday: kept, voided, reopened; a holiday moves a promised date', () => {
  test('three promises; the money for R1 and R2 keeps P1 and P2 at once', async () => {
    for (const [reference, amount, promisedOn] of [
      ['R1', '1000.00', '2026-12-09'],
      ['R2', '600.00', '2026-12-08'],
      ['R3', '400.00', FRI],
    ]) {
      await li.client.recordPromiseToPay({ customerId, receivableIds: [ids[reference]], amount, promisedOn });
    }
    payments.A = (await make.payment(customerId, { amount: '1000.00', receivedOn: MON, allocations: [{ receivableId: ids.R1, amount: '1000.00' }] })).id;
    payments.B = (await make.payment(customerId, { amount: '600.00', receivedOn: MON, allocations: [{ receivableId: ids.R2, amount: '600.00' }] })).id;
    expect(await promise('R1')).toMatchObject({ state: 'KEPT', paidAmount: '1000.00', keptOn: MON });
    expect(await promise('R2')).toMatchObject({ state: 'KEPT', paidAmount: '600.00', keptOn: MON });
    expect(await marked()).toBe(0);
  });

  test('voiding the payment that kept P1 opens it again at once, as of the engine date (before its deadline)', async () => {
    await finance.client.voidPayment({ id: payments.A, reason: 'bounced' });
    expect(await promise('R1')).toMatchObject({ state: 'OPEN', paidAmount: '0.00', keptOn: null, brokenOn: null });
    expect(await promiseEvents()).toEqual([
      `${MON} PROMISE_MADE R1 OPEN`,
      `${MON} PROMISE_MADE R2 OPEN`,
      `${MON} PROMISE_MADE R3 OPEN`,
      `${MON} PROMISE_KEPT R1 KEPT OPEN`,
      `${MON} PROMISE_KEPT R2 KEPT OPEN`,
      `${MON} PROMISE_REOPENED R1 OPEN KEPT`,
    ]);
    expect(await marked()).toBe(0);
  });

  test('a holiday declared on the promised Friday rolls P3 to Monday 12-14, its deadline to Tuesday 12-15', async () => {
    expect(await promise('R3')).toMatchObject({ promisedOn: FRI, dueOn: FRI, deadlineOn: '2026-12-14' });
    await make.as(server.admin).calendarDay(FRI, 'HOLIDAY', 'company day');
    expect(await promise('R3')).toMatchObject({ promisedOn: FRI, dueOn: '2026-12-14', deadlineOn: '2026-12-15', state: 'OPEN' });
    // Judged at once with the calendar change: nothing to say, and nothing left marked.
    expect(await marked()).toBe(0);
  });
});

describe('later days', () => {
  test('Thursday: P1 is still open on its deadline; a steady scan reads no settled promise', async () => {
    await server.restart(env(THU));
    const before = (await promiseEvents()).length;
    await make.overdueScan(THU);
    expect((await promiseEvents()).length).toBe(before);
    expect(await promise('R1')).toMatchObject({ state: 'OPEN' });
    // P2 is KEPT and unmarked: the judgement's candidates are the OPEN promises and the marked ones.
    expect(await server.sql('select state, rejudge from promise_to_pay where state <> $1 order by state', ['OPEN'])).toEqual([
      { state: 'KEPT', rejudge: false },
    ]);
  });

  test('Friday: the scan breaks P1; voiding the money of the kept P2 after its deadline breaks it at once', async () => {
    await server.restart(env(FRI));
    await make.overdueScan(FRI);
    expect(await promise('R1')).toMatchObject({ state: 'BROKEN', brokenOn: FRI });
    await finance.client.voidPayment({ id: payments.B, reason: 'reversed by the bank' });
    expect(await promise('R2')).toMatchObject({ state: 'BROKEN', paidAmount: '0.00', keptOn: null, brokenOn: FRI });
    expect((await promiseEvents()).slice(6)).toEqual([`${FRI} PROMISE_BROKEN R1 BROKEN OPEN`, `${FRI} PROMISE_BROKEN R2 BROKEN KEPT`]);
    expect(await promise('R3')).toMatchObject({ state: 'OPEN', dueOn: '2026-12-14' });
    expect(await marked()).toBe(0);
  });
});
