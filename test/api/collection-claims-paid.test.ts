/**
 * "The customer says they paid", two ways, one rule: `reportPaymentNotice` and a
 * `logCollectionActivity` with outcome CLAIMS_PAID both store a payment notice and a
 * CLAIMS_PAID activity in one transaction, and the notice holds the overdue alarm the
 * same way (from the day it reaches the server through PAYMENT_NOTICE_HOLD_DAYS, 3, working
 * days), judged at once. A phone that retries the activity stores nothing new.
 *
 * Li's customer (Asia/Shanghai, no holidays, credit rules off so the stream holds alarms
 * and collection events only). R1 300.00 due Thu 2026-11-19, R2 200.00 and R3 100.00 due Fri
 * 11-20; R3 is paid in full. Mon 2026-12-07: the scan raises R1 and R2 (stage 1; events in
 * the order of due dates).
 *   - Li logs a CLAIMS_PAID call about R1 and R3 (claimed paid Fri 12-04), twice.
 *   - Li reports a payment notice for R2 (claimed paid Fri 12-04).
 *   Both hold from Mon 12-07 through Mon + 3 working days = Thu 12-10: CLEARED at once.
 *   R3 has nothing outstanding: no notice.
 * Fri 2026-12-11: the holds have ended; the scan raises R1 and R2 again (stage 1, 21 days).
 */
import { factories, type Factories } from '../helpers/factories';
import { CREDIT_RULES_OFF } from '../helpers/overdue-events';
import { rejection, startTestServer, type TestServer, type TestUser } from '../helpers/server';

const MON = '2026-12-07';
const FRI = '2026-12-11';
/**
 * Mon 2026-12-07 00:00 in Shanghai: CLOCK_DATE fixes the date while the time of day runs on,
 * so a later hour of the day would be in the server's future before that hour.
 */
const MONDAY_START = '2026-12-06T16:00:00.000Z';

let server: TestServer;
let make: Factories;
let li: TestUser;
let finance: TestUser;
let customerId: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  server = await startTestServer({ ...CREDIT_RULES_OFF, CLOCK_DATE: MON, WEEKLY_ANALYSIS_AT: 'off' });
  finance = await server.createUser('FINANCE');
  li = await server.createUser('SALES', 'Li Na');
  make = factories(server, { as: finance.client, today: MON, ownerId: li.id });
  customerId = (await make.customer({ code: 'CLAIMS' })).id;
  for (const [reference, amount, dueOn] of [
    ['R1', '300.00', '2026-11-19'],
    ['R2', '200.00', '2026-11-20'],
    ['R3', '100.00', '2026-11-20'],
  ]) {
    ids[reference] = (await make.receivable(customerId, { reference, amount, issuedOn: '2026-10-21', dueOn })).id;
  }
  await make.payment(customerId, {
    amount: '100.00',
    receivedOn: '2026-11-19',
    lagReason: 'slip found late',
    allocations: [{ receivableId: ids.R3, amount: '100.00' }],
  });
  await make.overdueScan(MON);
}, 120_000);
afterAll(() => server?.close());

async function stream(): Promise<string[]> {
  const { overdueEvents } = await finance.client.overdueEvents({ first: 200 });
  return overdueEvents.edges.map(({ node: e }) => [e.asOf, e.type, e.receivable?.reference, e.stage].filter((x) => x !== null && x !== undefined).join(' '));
}

async function notices(reference: string) {
  const { receivable } = await li.client.receivable({ id: ids[reference] });
  return receivable!.paymentNotices.map(({ claimedPaidOn, note, status, createdOn, holdUntil, reportedBy }) => ({
    claimedPaidOn,
    note,
    status,
    createdOn,
    holdUntil,
    reportedBy: reportedBy.id,
  }));
}

const count = async (table: string): Promise<number> => (await server.sql<{ n: number }>(`select count(*)::int as n from ${table}`))[0].n;

describe('CLAIMS_PAID holds the alarm like reportPaymentNotice', () => {
  test('the scan of Monday raises R1 and R2', async () => {
    expect(await stream()).toEqual([`${MON} BECAME_OVERDUE R1 1`, `${MON} BECAME_OVERDUE R2 1`]);
  });

  test('a CLAIMS_PAID call about R1 (and the paid R3) holds R1 at once, once however often the phone retries', async () => {
    const input = {
      customerId,
      receivableIds: [ids.R1, ids.R3],
      kind: 'CALL' as const,
      outcome: 'CLAIMS_PAID' as const,
      note: 'Paid Friday, slip follows',
      occurredAt: MONDAY_START,
      claimedPaidOn: '2026-12-04',
      idempotencyKey: 'phone-li-claims-1',
    };
    const first = (await li.client.logCollectionActivity({ input })).logCollectionActivity;
    const again = (await li.client.logCollectionActivity({ input })).logCollectionActivity;
    expect(again.id).toBe(first.id);
    expect(first).toMatchObject({ kind: 'CALL', outcome: 'CLAIMS_PAID', occurredOn: MON });

    const held = { claimedPaidOn: '2026-12-04', note: 'Paid Friday, slip follows', status: 'OPEN', createdOn: MON, holdUntil: '2026-12-10', reportedBy: li.id };
    expect(await notices('R1')).toEqual([held]);
    expect(await notices('R3')).toEqual([]);
    expect((await li.client.receivable({ id: ids.R1 })).receivable?.overdueStage).toBeNull();
    expect(await stream()).toEqual([`${MON} BECAME_OVERDUE R1 1`, `${MON} BECAME_OVERDUE R2 1`, `${MON} CLEARED R1`]);
    // One activity, linked to its one notice.
    expect(await server.sql(`select l.activity_id::text as activity from collection_activity_notice l`)).toEqual([{ activity: first.id }]);
  });

  test('reportPaymentNotice for R2 stores the same notice and a CLAIMS_PAID activity, and holds R2 the same way', async () => {
    await li.client.reportPaymentNotice({ input: { receivableId: ids.R2, claimedPaidOn: '2026-12-04', note: 'Paid Friday, slip follows' } });
    expect(await notices('R2')).toEqual(await notices('R1'));
    const { activities } = await li.client.activities({ customerId });
    expect(
      activities.nodes.map((a) => [
        a.kind,
        a.outcome,
        a.occurredOn,
        a.receivables
          .map((r) => r.reference)
          .sort()
          .join(','),
      ]),
    ).toEqual([
      [null, 'CLAIMS_PAID', MON, 'R2'],
      ['CALL', 'CLAIMS_PAID', MON, 'R1,R3'],
    ]);
    expect(await stream()).toEqual([`${MON} BECAME_OVERDUE R1 1`, `${MON} BECAME_OVERDUE R2 1`, `${MON} CLEARED R1`, `${MON} CLEARED R2`]);
    expect(await count('collection_activity_notice')).toBe(2);
  });

  test('claimedPaidOn only with CLAIMS_PAID, never in the future; a refusal stores nothing', async () => {
    const before = await Promise.all(['collection_activity', 'payment_notice'].map(count));
    const base = { customerId, receivableIds: [ids.R1], kind: 'CALL' as const, occurredAt: MONDAY_START };
    expect(await rejection(li.client.logCollectionActivity({ input: { ...base, outcome: 'REACHED', claimedPaidOn: '2026-12-04' } }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.claimedPaidOn',
      reason: 'OUTCOME_DETAILS_MISMATCH',
    });
    expect(await rejection(li.client.logCollectionActivity({ input: { ...base, outcome: 'CLAIMS_PAID', claimedPaidOn: '2026-12-08' } }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.claimedPaidOn',
      reason: 'DATE_IN_FUTURE',
    });
    expect(await Promise.all(['collection_activity', 'payment_notice'].map(count))).toEqual(before);
  });

  test('Friday: both holds have ended (Thu 12-10) and the scan raises R1 and R2 again', async () => {
    await server.restart({ ...CREDIT_RULES_OFF, CLOCK_DATE: FRI, WEEKLY_ANALYSIS_AT: 'off' });
    await make.overdueScan(FRI);
    expect((await stream()).slice(4)).toEqual([`${FRI} BECAME_OVERDUE R1 1`, `${FRI} BECAME_OVERDUE R2 1`]);
  });
});
