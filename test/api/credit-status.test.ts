/**
 * Credit status, black-box: a customer's status moves OK → WARN → HOLD → OK as scans and
 * the ledger move, a manager overrides it until a date, the override expires by itself,
 * the history keeps every step, and every change of the effective status is one
 * CREDIT_STATUS_CHANGED event that says what the field says. Default rules
 * (docs/metrics.md): WARN from stage 30 or overdue ≥ 80% of the limit; HOLD from stage 60
 * or overdue ≥ 100% of the limit.
 *
 * The server's today is Monday 1 March 2027 (CLOCK_DATE), so every scan date up to it may
 * be judged; the days after run on a second instance whose today is Wednesday 10 March.
 * No holidays: effective due dates are the due dates (all weekdays).
 */
import WebSocket from 'ws';
import { type Client, createClient, type CreditStatus } from '../../sdk/index.js';
import { factories, type Factories } from '../helpers/factories';
import { latestCursor } from '../helpers/overdue-events';
import { rejection, startTestServer, type TestServer, type TestUser } from '../helpers/server';

let server: TestServer;
let finance: TestUser;
let manager: TestUser;
let owner: TestUser;
let otherSales: TestUser;
/** Finance and the manager on the instance whose today is 10 March. */
let laterFinance: Client;
let laterManager: Client;
let make: Factories;

beforeAll(async () => {
  server = await startTestServer({ CLOCK_DATE: '2027-03-01' });
  finance = await server.createUser('FINANCE');
  manager = await server.createUser('MANAGER');
  owner = await server.createUser('SALES', 'Owner Sales');
  otherSales = await server.createUser('SALES', 'Other Sales');
  make = factories(server, { as: finance.client, today: '2027-03-01', ownerId: owner.id });
  const later = await server.startInstance({ CLOCK_DATE: '2027-03-10', WEEKLY_ANALYSIS_AT: 'off' });
  laterFinance = createClient({ url: later.url, token: finance.token, webSocketImpl: WebSocket });
  laterManager = createClient({ url: later.url, token: manager.token, webSocketImpl: WebSocket });
}, 120_000);
afterAll(() => server.close());

async function statusOf(client: Client, customerId: string) {
  const { customer } = await client.customerCredit({ id: customerId });
  return customer;
}

/** The customer's CREDIT_STATUS_CHANGED events as the client sees them: [from, to, asOf]. */
async function creditEvents(client: Client, customerId?: string) {
  const { overdueEvents } = await client.overdueEvents({ first: 200, filter: { types: ['CREDIT_STATUS_CHANGED'], ...(customerId ? { customerId } : {}) } });
  return overdueEvents.edges.map(({ node: e }) => ({ customer: e.customer.id, from: e.previousState, to: e.state, asOf: e.asOf }));
}

/** The field and the stream agree: the last event of the customer says what the field says. */
async function expectStatus(customerId: string, status: CreditStatus) {
  const customer = await statusOf(finance.client, customerId);
  expect(customer?.creditStatus).toBe(status);
  expect(customer?.creditStatusDetail.status).toBe(status);
  const events = await creditEvents(finance.client, customerId);
  expect(events.length === 0 ? 'OK' : events[events.length - 1].to).toBe(status);
  return customer!.creditStatusDetail;
}

async function historyOf(client: Client, customerId: string) {
  const { creditStatusHistory } = await client.creditStatusHistory({ customerId, first: 100 });
  return creditStatusHistory.nodes.map((h) => ({ kind: h.kind, from: h.from, to: h.to, reason: h.reason, until: h.until, asOf: h.asOf, by: h.by?.id ?? null }));
}

describe('a customer through the ledger, the scans and a manager’s overrides', () => {
  let customerId: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    // Credit limit 10000.00: WARN from 8000.00 overdue, HOLD from 10000.00.
    customerId = (await make.customer({ creditLimit: '10000.00' })).id;
    ids.r1 = (await make.receivable(customerId, { reference: 'R1', amount: '5000.00', issuedOn: '2026-12-01', dueOn: '2027-01-04' })).id;
    ids.r2 = (await make.receivable(customerId, { reference: 'R2', amount: '4000.00', issuedOn: '2026-12-15', dueOn: '2027-01-18' })).id;
  });

  test('OK before anything is overdue, and while the overdue money and stages stay below the thresholds', async () => {
    expect((await statusOf(finance.client, customerId))?.creditStatusDetail).toMatchObject({ status: 'OK', asOf: null, reasons: [] });
    // 4 January: R1 is due, not overdue.
    await make.overdueScan('2027-01-04');
    expect(await expectStatus(customerId, 'OK')).toMatchObject({ asOf: '2027-01-04', overdueAmount: '0.00', highestStage: null });
    // 5 January: R1 1 day overdue, stage 1; overdue 5000.00 = 50% of the limit.
    await make.overdueScan('2027-01-05');
    expect(await expectStatus(customerId, 'OK')).toMatchObject({ asOf: '2027-01-05', overdueAmount: '5000.00', highestStage: 1, reasons: [] });
  });

  test('WARN when the overdue money reaches 80% of the limit, with the reason', async () => {
    // 19 January: R1 15 days, R2 1 day overdue (both stage 1); 9000.00 overdue ≥ 8000.00.
    await make.overdueScan('2027-01-19');
    const detail = await expectStatus(customerId, 'WARN');
    expect(detail).toMatchObject({ source: 'RULES', derivedStatus: 'WARN', overdueAmount: '9000.00', creditLimit: '10000.00', highestStage: 1 });
    expect(detail.reasons).toEqual([
      {
        rule: 'OVERDUE_AMOUNT',
        status: 'WARN',
        actual: '9000.00',
        threshold: '8000.00',
        description: 'overdue 9000.00 reaches 80% of the credit limit 10000.00 (8000.00; WARN)',
      },
    ]);
    // 3 February: R1 30 days overdue, stage 30: a second WARN reason, no new event.
    await make.overdueScan('2027-02-03');
    const both = await expectStatus(customerId, 'WARN');
    expect(both.reasons.map((r) => [r.rule, r.status, r.actual, r.threshold])).toEqual([
      ['OVERDUE_STAGE', 'WARN', '30', '30'],
      ['OVERDUE_AMOUNT', 'WARN', '9000.00', '8000.00'],
    ]);
    expect(await creditEvents(finance.client, customerId)).toHaveLength(1);
  });

  test('HOLD when the overdue money reaches the limit; OK again when it is paid', async () => {
    // R3 (2000.00, due Wednesday 20 January) is booked late; the scan of 5 February judges
    // it 16 days overdue: 5000 + 4000 + 2000 = 11000.00 ≥ 10000.00.
    ids.r3 = (await make.receivable(customerId, { reference: 'R3', amount: '2000.00', issuedOn: '2026-12-20', dueOn: '2027-01-20' })).id;
    await make.overdueScan('2027-02-05');
    const hold = await expectStatus(customerId, 'HOLD');
    expect(hold).toMatchObject({ overdueAmount: '11000.00', highestStage: 30 });
    expect(hold.reasons.map((r) => `${r.rule}:${r.status}`)).toEqual(['OVERDUE_AMOUNT:HOLD', 'OVERDUE_STAGE:WARN']);

    // 6000.00 that arrived on 5 February (booked on 1 March): R1 paid, 1000.00 of R3. As of
    // the engine's date (5 February) 4000 + 1000 = 5000.00 are overdue (50%), R1's stage 30
    // alarm is cleared and R2, R3 hold stage 1: OK at once, before any scan.
    await finance.client.recordPayment({
      input: {
        customerId,
        amount: '6000.00',
        receivedOn: '2027-02-05',
        method: 'BANK_TRANSFER',
        lagReason: 'statement came late',
        allocations: [
          { receivableId: ids.r1, amount: '5000.00' },
          { receivableId: ids.r3, amount: '1000.00' },
        ],
      },
    });
    expect(await expectStatus(customerId, 'OK')).toMatchObject({ overdueAmount: '5000.00', highestStage: 1, asOf: '2027-02-05', reasons: [] });
  });

  test('WARN at stage 30; a lower credit limit holds at once, the old one warns again', async () => {
    // 1 March: R2 42 days and R3 40 days overdue: stage 30.
    await make.overdueScan('2027-03-01');
    expect(await expectStatus(customerId, 'WARN')).toMatchObject({ highestStage: 30, overdueAmount: '5000.00' });
    // Limit 5000.00: 5000.00 overdue reaches 100% of it.
    await finance.client.updateCustomer({ id: customerId, input: { creditLimit: '5000.00' } });
    expect(await expectStatus(customerId, 'HOLD')).toMatchObject({ creditLimit: '5000.00' });
    await finance.client.updateCustomer({ id: customerId, input: { creditLimit: '10000.00' } });
    await expectStatus(customerId, 'WARN');
  });

  test('refusals change nothing', async () => {
    const before = await historyOf(finance.client, customerId);
    const override = (client: Client, vars: Partial<Parameters<Client['overrideCreditStatus']>[0]>) =>
      rejection(client.overrideCreditStatus({ customerId, status: 'HOLD', reason: 'talks with the customer', until: '2027-03-05', ...vars }));

    expect(await override(manager.client, { until: '2027-03-01' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'CREDIT_OVERRIDE_UNTIL_NOT_AFTER_TODAY',
      field: 'until',
    });
    expect(await override(manager.client, { until: '2027-02-20' })).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'CREDIT_OVERRIDE_UNTIL_NOT_AFTER_TODAY' });
    expect(await override(manager.client, { until: null })).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'CREDIT_OVERRIDE_UNTIL_REQUIRED', field: 'until' });
    expect(await override(manager.client, { reason: '   ' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'CREDIT_OVERRIDE_REASON_REQUIRED',
      field: 'reason',
    });
    expect(await override(manager.client, { reason: 'x'.repeat(1001) })).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'TEXT_LENGTH', field: 'reason' });
    expect(await override(manager.client, { status: null, until: '2027-03-05' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'CREDIT_OVERRIDE_UNTIL_NOT_ALLOWED',
    });
    expect(await override(manager.client, { status: null, until: null })).toMatchObject({ code: 'CONFLICT', reason: 'NO_CREDIT_OVERRIDE' });
    expect(await override(manager.client, { customerId: '00000000-0000-4000-8000-000000000000' })).toMatchObject({
      code: 'NOT_FOUND',
      reason: 'NOT_FOUND',
      field: 'customerId',
    });
    expect(await override(manager.client, { customerId: 'not-an-id' })).toMatchObject({ code: 'NOT_FOUND', reason: 'NOT_FOUND' });
    // Only managers (and ADMIN) override: not the owner, not finance.
    expect(await override(owner.client, {})).toMatchObject({ code: 'FORBIDDEN', reason: 'FORBIDDEN' });
    expect(await override(finance.client, {})).toMatchObject({ code: 'FORBIDDEN', reason: 'FORBIDDEN' });

    expect(await historyOf(finance.client, customerId)).toEqual(before);
    expect(await expectStatus(customerId, 'WARN')).toMatchObject({ source: 'RULES', override: null });
  });

  test('an override holds until its date, then expires by itself and the rules apply again', async () => {
    const { overrideCreditStatus } = await manager.client.overrideCreditStatus({
      customerId,
      status: 'HOLD',
      reason: 'insolvency rumours',
      until: '2027-03-05',
    });
    expect(overrideCreditStatus.creditStatus).toBe('HOLD');
    expect(overrideCreditStatus.creditStatusDetail).toMatchObject({
      status: 'HOLD',
      derivedStatus: 'WARN',
      source: 'OVERRIDE',
      override: { status: 'HOLD', reason: 'insolvency rumours', until: '2027-03-05', setOn: '2027-03-01', setBy: { id: manager.id } },
    });
    await expectStatus(customerId, 'HOLD');

    // The override is in force through 4 March; from 5 March the rules decide (stage 30: WARN).
    await laterFinance.runOverdueScan({ asOf: '2027-03-04' });
    expect(await expectStatus(customerId, 'HOLD')).toMatchObject({ source: 'OVERRIDE', override: { until: '2027-03-05' } });
    await laterFinance.runOverdueScan({ asOf: '2027-03-05' });
    expect(await expectStatus(customerId, 'WARN')).toMatchObject({ source: 'RULES', override: null, asOf: '2027-03-05' });
  });

  test('replacing and clearing an override; an override that confirms the rules writes history but no event', async () => {
    // Today is 10 March on the later instance.
    await laterManager.overrideCreditStatus({ customerId, status: 'OK', reason: 'paid in cash at the branch', until: '2027-03-20' });
    await expectStatus(customerId, 'OK');
    await laterManager.overrideCreditStatus({ customerId, status: 'HOLD', reason: 'cheque bounced', until: '2027-03-12' });
    await expectStatus(customerId, 'HOLD');
    await laterManager.overrideCreditStatus({ customerId, reason: 'cheque cleared after all' });
    await expectStatus(customerId, 'WARN');
    const eventsBefore = await creditEvents(finance.client, customerId);
    await laterManager.overrideCreditStatus({ customerId, status: 'WARN', reason: 'keep an eye on them', until: '2027-03-11' });
    await laterManager.overrideCreditStatus({ customerId, reason: 'no longer needed' });
    expect(await creditEvents(finance.client, customerId)).toEqual(eventsBefore);
    await expectStatus(customerId, 'WARN');
  });

  test('the stream has every change exactly once, in order; the history has every step', async () => {
    const c = customerId;
    expect(await creditEvents(finance.client, c)).toEqual([
      { customer: c, from: 'OK', to: 'WARN', asOf: '2027-01-19' },
      { customer: c, from: 'WARN', to: 'HOLD', asOf: '2027-02-05' },
      { customer: c, from: 'HOLD', to: 'OK', asOf: '2027-02-05' }, // the payment
      { customer: c, from: 'OK', to: 'WARN', asOf: '2027-03-01' },
      { customer: c, from: 'WARN', to: 'HOLD', asOf: '2027-03-01' }, // limit 5000.00
      { customer: c, from: 'HOLD', to: 'WARN', asOf: '2027-03-01' }, // limit 10000.00
      { customer: c, from: 'WARN', to: 'HOLD', asOf: '2027-03-01' }, // override
      { customer: c, from: 'HOLD', to: 'WARN', asOf: '2027-03-05' }, // expired
      { customer: c, from: 'WARN', to: 'OK', asOf: '2027-03-05' }, // override OK
      { customer: c, from: 'OK', to: 'HOLD', asOf: '2027-03-05' }, // replaced by HOLD
      { customer: c, from: 'HOLD', to: 'WARN', asOf: '2027-03-05' }, // cleared
    ]);
    const history = await historyOf(finance.client, c);
    expect(history.map((h) => [h.kind, h.from, h.to, h.until, h.by])).toEqual(
      [
        ['RULES', 'OK', 'WARN', null, null],
        ['RULES', 'WARN', 'HOLD', null, null],
        ['RULES', 'HOLD', 'OK', null, null],
        ['RULES', 'OK', 'WARN', null, null],
        ['RULES', 'WARN', 'HOLD', null, null],
        ['RULES', 'HOLD', 'WARN', null, null],
        ['OVERRIDE_SET', 'WARN', 'HOLD', '2027-03-05', manager.id],
        ['OVERRIDE_EXPIRED', 'HOLD', 'WARN', null, null],
        ['OVERRIDE_SET', 'WARN', 'OK', '2027-03-20', manager.id],
        ['OVERRIDE_SET', 'OK', 'HOLD', '2027-03-12', manager.id],
        ['OVERRIDE_CLEARED', 'HOLD', 'WARN', null, manager.id],
        ['OVERRIDE_SET', 'WARN', 'WARN', '2027-03-11', manager.id],
        ['OVERRIDE_CLEARED', 'WARN', 'WARN', null, manager.id],
      ].reverse(),
    );
    expect(history[history.length - 1].reason).toBe('overdue 9000.00 reaches 80% of the credit limit 10000.00 (8000.00; WARN)');
    expect(history.find((h) => h.kind === 'OVERRIDE_SET' && h.to === 'HOLD')?.reason).toBe('cheque bounced');
    expect(history.find((h) => h.kind === 'OVERRIDE_EXPIRED')?.reason).toMatch(
      /^override HOLD until 2027-03-05 expired; the rules apply: highest overdue stage 30 reached/,
    );
  });
});

describe('salespeople see their own customers’ credit status and events only', () => {
  let own: string;
  let others: string;
  beforeAll(async () => {
    own = (await make.customer({ creditLimit: '1000.00' })).id;
    others = (await make.customer({ creditLimit: '1000.00', ownerId: otherSales.id })).id;
    for (const id of [own, others]) {
      await manager.client.overrideCreditStatus({ customerId: id, status: 'HOLD', reason: 'new customer, prepayment only', until: '2027-04-01' });
    }
  });

  test('the field and the history', async () => {
    expect((await statusOf(owner.client, own))?.creditStatus).toBe('HOLD');
    expect(await statusOf(owner.client, others)).toBeNull();
    const { customers } = await owner.client.customersCredit({ first: 200 });
    expect(customers.nodes.find((c) => c.id === own)?.creditStatus).toBe('HOLD');
    expect(customers.nodes.some((c) => c.id === others)).toBe(false);
    expect(await historyOf(owner.client, own)).toMatchObject([{ kind: 'OVERRIDE_SET', to: 'HOLD', by: manager.id }]);
    expect(await rejection(owner.client.creditStatusHistory({ customerId: others }))).toMatchObject({ code: 'NOT_FOUND', field: 'customerId' });
    expect(await rejection(owner.client.overrideCreditStatus({ customerId: own, reason: 'lift it' }))).toMatchObject({ code: 'FORBIDDEN' });
  });

  test('the events', async () => {
    const seen = await creditEvents(owner.client);
    expect(seen.some((e) => e.customer === own)).toBe(true);
    expect(seen.some((e) => e.customer === others)).toBe(false);
    const theirs = await creditEvents(otherSales.client);
    expect(theirs).toEqual([{ customer: others, from: 'OK', to: 'HOLD', asOf: '2027-03-05' }]);
  });
});

describe('broken promises: WARN from one in 30 days, HOLD from two, and back as they leave the window', () => {
  /** A third instance whose today is 30 April, for the scans of March and April. */
  let april: Client;
  let customerId: string;

  beforeAll(async () => {
    const instance = await server.startInstance({ CLOCK_DATE: '2027-04-30', WEEKLY_ANALYSIS_AT: 'off' });
    april = createClient({ url: instance.url, token: finance.token, webSocketImpl: WebSocket });
    // Nothing overdue during the test (due at the end of June): only the promises count.
    customerId = (await make.customer({ creditLimit: '100000.00' })).id;
    const receivable = await make.receivable(customerId, { reference: 'P1', amount: '3000.00', issuedOn: '2027-02-20', dueOn: '2027-06-30' });
    // Recorded on 10 March (the second instance's today): A for Wednesday 10 March (broken
    // after its deadline, Thursday 11th: on the 12th), B for Monday 15 March (broken on the 17th).
    for (const promisedOn of ['2027-03-10', '2027-03-15']) {
      await laterFinance.recordPromiseToPay({ customerId, receivableIds: [receivable.id], amount: '1000.00', promisedOn });
    }
  });

  test('the status follows the broken promises of the last 30 days, live in the stream an order system reads', async () => {
    const { createApiToken } = await server.admin.createApiToken({ name: 'order system' });
    const orders = createClient({ url: server.url, token: createApiToken.token, webSocketImpl: WebSocket });
    const stream = orders.subscribeOverdueEvents({ after: await latestCursor(orders), filter: { customerId, types: ['CREDIT_STATUS_CHANGED'] } });
    const next = async () => (await stream.next()).value as { previousState: string; state: string; asOf: string; detail: string };

    await april.runOverdueScan({ asOf: '2027-03-12' }); // A broken on the 12th: 1 in (02-10, 03-12]
    expect(await next()).toMatchObject({ previousState: 'OK', state: 'WARN', asOf: '2027-03-12' });
    const warn = await expectStatus(customerId, 'WARN');
    expect(warn.reasons).toEqual([
      {
        rule: 'BROKEN_PROMISES',
        status: 'WARN',
        actual: '1',
        threshold: '1',
        description: '1 promise(s) to pay broken in the last 30 days (WARN from 1)',
      },
    ]);
    await april.runOverdueScan({ asOf: '2027-03-17' }); // B broken on the 17th: 2
    expect(await next()).toMatchObject({ previousState: 'WARN', state: 'HOLD', asOf: '2027-03-17' });
    expect(await expectStatus(customerId, 'HOLD')).toMatchObject({ brokenPromises: 2, overdueAmount: '0.00' });
    await april.runOverdueScan({ asOf: '2027-04-10' }); // (03-11, 04-10]: both still in
    await expectStatus(customerId, 'HOLD');
    await april.runOverdueScan({ asOf: '2027-04-11' }); // (03-12, 04-11]: A left the window
    expect(await next()).toMatchObject({ previousState: 'HOLD', state: 'WARN', asOf: '2027-04-11' });
    expect(await expectStatus(customerId, 'WARN')).toMatchObject({ brokenPromises: 1 });
    await april.runOverdueScan({ asOf: '2027-04-16' }); // (03-17, 04-16]: B left too
    const ok = await next();
    expect(ok).toMatchObject({ previousState: 'WARN', state: 'OK', asOf: '2027-04-16' });
    expect(ok.detail).toBe('credit status WARN → OK: no rule fires (OK)');
    await expectStatus(customerId, 'OK');
    await stream.return?.();
  });
});

test('bookings, scans, overrides and credit-limit changes on one customer at once: no deadlock, the field agrees with the stream', async () => {
  // On the instance whose today is 30 April (the engine's date is 16 April by now).
  const april = createClient({
    url: (await server.startInstance({ CLOCK_DATE: '2027-04-30', WEEKLY_ANALYSIS_AT: 'off' })).url,
    token: finance.token,
    webSocketImpl: WebSocket,
  });
  const customerId = (await make.customer({ creditLimit: '5000.00' })).id;
  for (let i = 0; i < 4; i++) await make.receivable(customerId, { reference: `Q${i}`, amount: '2000.00', issuedOn: '2027-01-04', dueOn: '2027-02-01' });
  const work: Promise<unknown>[] = [];
  for (let i = 0; i < 8; i++) {
    work.push(april.recordPayment({ input: { customerId, amount: '500.00', receivedOn: '2027-04-20', method: 'BANK_TRANSFER', lagReason: 'batch' } }));
    if (i % 3 === 0) work.push(april.runOverdueScan({ asOf: '2027-04-30' }));
    if (i % 4 === 1) work.push(manager.client.overrideCreditStatus({ customerId, status: 'WARN', reason: `review ${i}`, until: '2027-05-10' }));
    if (i % 4 === 3) work.push(finance.client.updateCustomer({ id: customerId, input: { creditLimit: i === 3 ? '4000.00' : '6000.00' } }));
  }
  const outcomes = await Promise.allSettled(work);
  expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
  // 8000.00 less 4000.00 paid: 4000.00 overdue, stage 60 or more (HOLD by the rules) — under a WARN override.
  expect(await expectStatus(customerId, 'WARN')).toMatchObject({ source: 'OVERRIDE', derivedStatus: 'HOLD', overdueAmount: '4000.00' });
});

test('with a first stage after five days, money counts as overdue from the first day past due, before any stage', async () => {
  // OVERDUE_STAGES 5,30,60: R (1000.00, due Monday 4 January) has no stage until 9 January,
  // but its 1000.00 is overdue money from the 5th: 100% of the limit, HOLD by the amount
  // rule, at the scan of the 5th (the engine judges a receivable on its first day past due).
  const own = await startTestServer({ CLOCK_DATE: '2027-03-01', OVERDUE_STAGES: '5,30,60' });
  try {
    const ownFinance = await own.createUser('FINANCE');
    const ownMake = factories(own, { as: ownFinance.client, today: '2027-03-01', ownerId: (await own.createUser('SALES')).id });
    const customerId = (await ownMake.customer({ creditLimit: '1000.00' })).id;
    await ownMake.receivable(customerId, { reference: 'R', amount: '1000.00', issuedOn: '2026-12-01', dueOn: '2027-01-04' });
    const detail = async () => (await statusOf(ownFinance.client, customerId))!.creditStatusDetail;

    await ownMake.overdueScan('2027-01-04');
    expect(await detail()).toMatchObject({ status: 'OK', overdueAmount: '0.00', highestStage: null });
    await ownMake.overdueScan('2027-01-05');
    expect(await detail()).toMatchObject({ status: 'HOLD', overdueAmount: '1000.00', highestStage: null });
    await ownMake.overdueScan('2027-01-09');
    expect(await detail()).toMatchObject({ status: 'HOLD', overdueAmount: '1000.00', highestStage: 5 });
  } finally {
    await own.close();
  }
});
