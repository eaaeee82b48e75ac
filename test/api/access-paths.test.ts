/**
 * Authorization along nested paths, black-box: a role refused a root field is refused the
 * same objects when it reaches them through another type. INTEGRATION reads the ledger
 * but no payments (not through `Receivable.allocations`); PROJECT_LEAD reads the weekly
 * totals but no figures per salesperson or clerk, nor the top overdue customers.
 * "Today" is Monday 7 December 2026; the week of 23 November is over and published.
 */
import { type Client, HuikuanError } from '../../sdk/index.js';
import { factories } from '../helpers/factories';
import { expectApiError, startTestServer, type TestServer, type TestUser } from '../helpers/server';

const TODAY = '2026-12-07';
const PAYMENT_REFERENCE = 'BANK-REF-7731';
const LAG_REASON = 'statement arrived late from the branch';

let server: TestServer;
let finance: TestUser;
let lead: TestUser;
let integration: Client;
let receivableId: string;
let customerCode: string;
let customerId: string;
let sales: TestUser;

beforeAll(async () => {
  server = await startTestServer({ CLOCK_DATE: TODAY, WEEKLY_ANALYSIS_AT: 'off' });
  finance = await server.createUser('FINANCE', 'Clerk Clara');
  lead = await server.createUser('PROJECT_LEAD', 'Lead Lee');
  const manager = await server.createUser('MANAGER');
  sales = await server.createUser('SALES', 'Sam Sales');
  integration = server.client((await server.admin.createApiToken({ name: 'erp' })).createApiToken.token);

  const make = factories(server, { as: finance.client, today: TODAY, ownerId: sales.id });
  const customer = await make.customer({ name: 'Slow Payer Ltd' });
  customerCode = customer.code;
  customerId = customer.id;
  receivableId = (await make.receivable(customer.id, { amount: '1000.00', issuedOn: '2026-10-20', dueOn: '2026-11-10' })).id;
  // Booked today, two weeks after the money arrived: a lag reason and a bank reference only finance should read.
  await make.payment(customer.id, { amount: '400.00', receivedOn: '2026-11-24', reference: PAYMENT_REFERENCE, lagReason: LAG_REASON });
  await make.overdueScan();
  await manager.client.publishWeeklyAnalysis({ weekOf: '2026-11-23' });
});
afterAll(() => server.close());

/** Runs a document and returns the raw response text and the errors (no SDK unwrapping). */
async function raw(
  token: string | undefined,
  query: string,
): Promise<{ text: string; errors: { path?: (string | number)[]; extensions?: { code?: string } }[] }> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  const text = await response.text();
  return { text, errors: (JSON.parse(text) as { errors?: [] }).errors ?? [] };
}

/** Expects FORBIDDEN on exactly the field `field` (the last element of the error's path). */
async function expectForbiddenAt(client: Client, query: string, field: string): Promise<HuikuanError> {
  const error = await client.request(query).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HuikuanError);
  const huikuan = error as HuikuanError;
  expect(huikuan.code).toBe('FORBIDDEN');
  expect(huikuan.errors.map((e) => e.path?.filter((p) => typeof p === 'string').at(-1))).toContain(field);
  return huikuan;
}

describe('INTEGRATION: the ledger, not payments', () => {
  let token: string;
  beforeAll(async () => {
    token = (await server.admin.createApiToken({ name: 'bi' })).createApiToken.token;
  });

  test('customers → receivables → allocations → payment is FORBIDDEN at Receivable.allocations, and nothing of the payment leaks', async () => {
    const query = `{ customers(filter: { search: "${customerCode}" }) { nodes { receivables { nodes { reference allocations { amount payment { reference lagReason bookedBy { email } } } } } } } }`;
    await expectForbiddenAt(integration, query, 'allocations');
    const { text, errors } = await raw(token, query);
    expect(errors.map((e) => e.extensions?.code)).toContain('FORBIDDEN');
    for (const secret of [PAYMENT_REFERENCE, LAG_REASON, finance.email, '400.00']) expect(text).not.toContain(secret);
  });

  test('overdueEvents → receivable → allocations is FORBIDDEN too', async () => {
    const { overdueEvents } = await integration.overdueEvents({});
    expect(overdueEvents.edges.map((e) => e.node.receivable?.id)).toContain(receivableId);
    await expectForbiddenAt(
      integration,
      '{ overdueEvents { nodes { receivable { allocations { payment { reference bookedBy { email } } } } } } }',
      'allocations',
    );
  });

  test('the SDK operation with allocations is refused; the ledger operations still work', async () => {
    await expectApiError(integration.receivableWithAllocations({ id: receivableId }), 'FORBIDDEN');
    await expectApiError(integration.payments({}), 'FORBIDDEN');

    const { receivable } = await integration.receivable({ id: receivableId });
    expect(receivable).toMatchObject({ id: receivableId, amount: '1000.00', outstanding: '600.00', status: 'PARTIALLY_PAID' });
    const { receivables } = await integration.receivables({ filter: { overdue: true } });
    expect(receivables.edges.find((e) => e.node.id === receivableId)?.node.outstanding).toBe('600.00');
    const { customers } = await integration.customers({ filter: { search: customerCode } });
    expect(customers.edges.map((e) => e.node)).toEqual([expect.objectContaining({ code: customerCode, outstanding: '600.00' })]);
  });

  test('a payment reader still sees the allocations through the receivable', async () => {
    const { receivable } = await finance.client.receivableWithAllocations({ id: receivableId });
    expect(receivable!.allocations.map((a) => [a.amount, a.payment.receivedOn, a.payment.voided])).toEqual([['400.00', '2026-11-24', false]]);
  });
});

describe('PROJECT_LEAD: weekly totals, not individual figures', () => {
  test.each([
    ['aging.bySalesperson', '{ weeklyAnalyses { aging { total bySalesperson { total salesperson { name email } } } } }', 'bySalesperson'],
    ['collections.bySalesperson', '{ weeklyAnalyses { collections { due bySalesperson { collectionRate salesperson { name } } } } }', 'bySalesperson'],
    ['bookingLag.byClerk', '{ weeklyAnalyses { bookingLag { payments byClerk { latePayments clerk { name email } } } } }', 'byClerk'],
    ['topOverdueCustomers', '{ weeklyAnalysis(weekOf: "2026-11-23") { topOverdueCustomers { name overdueAmount } } }', 'topOverdueCustomers'],
  ])('%s is FORBIDDEN', async (_name, query, field) => {
    await expectForbiddenAt(lead.client, query, field);
  });

  test('the full SDK operation is refused; the totals operations work and match what finance reads', async () => {
    await expectApiError(lead.client.weeklyAnalysis({ weekOf: '2026-11-23' }), 'FORBIDDEN');
    await expectApiError(lead.client.agingReport({ asOf: TODAY }), 'FORBIDDEN');

    const { weeklyAnalysis: full } = await finance.client.weeklyAnalysis({ weekOf: '2026-11-23' });
    expect(full!.topOverdueCustomers.map((c) => [c.code, c.overdueAmount])).toEqual([[customerCode, '600.00']]);
    expect(full!.aging.bySalesperson.map((row) => [row.salesperson.name, row.total])).toEqual([['Sam Sales', '600.00']]);

    const { weeklyAnalysis: totals } = await lead.client.weeklyAnalysisTotals({ weekOf: '2026-11-23' });
    expect(totals).toMatchObject({
      weekStart: '2026-11-23',
      overdueAmount: full!.overdueAmount,
      overdueCount: full!.overdueCount,
      received: '400.00',
      aging: { total: '600.00', over90: full!.aging.over90, d1to30: full!.aging.d1to30 },
      collections: { due: full!.collections.due, collected: full!.collections.collected },
      bookingLag: { payments: full!.bookingLag.payments },
    });
    expect(totals).not.toHaveProperty('topOverdueCustomers');

    const { weeklyAnalyses } = await lead.client.weeklyAnalysesTotals({ last: 4 });
    expect(weeklyAnalyses.map((w) => [w.weekStart, w.aging.total])).toEqual([['2026-11-23', '600.00']]);
  });
});

describe('collection work (issue 10): activities, promises, disputes, credit status along every path', () => {
  const DISPUTE_REASON = 'SECRET-DISPUTE-REASON: the goods were never ordered';
  let token: string;
  beforeAll(async () => {
    token = (await server.admin.createApiToken({ name: 'crm' })).createApiToken.token;
    await sales.client.logCollectionActivity({
      input: {
        customerId,
        receivableIds: [receivableId],
        kind: 'CALL',
        outcome: 'PROMISED',
        // TODAY 00:00 in Shanghai: CLOCK_DATE fixes the date, the time of day runs on, so a later hour may still be ahead.
        occurredAt: '2026-12-06T16:00:00.000Z',
        note: 'SECRET-CALL-NOTE',
        promise: { amount: '100.00', promisedOn: '2026-12-09' },
      },
    });
    await finance.client.openDispute({ input: { receivableId, amount: '50.00', category: 'NOT_ORDERED', reason: DISPUTE_REASON } });
    // A named report whose item points at the customer and the receivable: the project lead reaches both through it.
    await sales.client.submitFeedbackReport({
      input: {
        period: 'MONTH',
        periodStart: '2026-11-01',
        anonymous: false,
        hoursSaved: 2,
        items: [{ category: 'DATA', kind: 'PROBLEM', severity: 'LOW', text: 'Slow Payer disputes everything', customerId, receivableId }],
      },
    });
  });

  test('PROJECT_LEAD: a feedback item links no customer or receivable for them, so no credit status detail or dispute leaks', async () => {
    // The walk (test/unit/access-walk.test.ts) finds the static path FeedbackItem.customer → Customer.creditStatusDetail and
    // FeedbackItem.receivable → Receivable.disputes; both fields carry LEDGER_READ, and the item answers null for a non-reader.
    const items =
      '{ feedbackReports { nodes { items { text customer { code creditStatusDetail { status } } receivable { reference disputes { reason } } } } } }';
    const { text, errors } = await raw(lead.token, items);
    expect(errors).toEqual([]);
    expect(text).toContain('Slow Payer disputes everything');
    expect(text).not.toContain('SECRET-DISPUTE-REASON');
    expect(text).not.toContain(customerCode);
  });

  test('INTEGRATION reads the promise of a PROMISE_MADE event (on purpose) and the dispute of a DISPUTE_OPENED one, not the contact log', async () => {
    const events = await integration.request<{
      overdueEvents: { nodes: { type: string; promise: { amount: string; state: string } | null; dispute: { reason: string } | null }[] };
    }>('{ overdueEvents(filter: { types: [PROMISE_MADE, DISPUTE_OPENED] }) { nodes { type promise { amount state } dispute { reason } } } }');
    expect(events.overdueEvents.nodes).toEqual([
      { type: 'PROMISE_MADE', promise: { amount: '100.00', state: 'OPEN' }, dispute: null },
      { type: 'DISPUTE_OPENED', promise: null, dispute: { reason: DISPUTE_REASON } },
    ]);
    const { receivable } = await integration.receivableDisputes({ id: receivableId });
    expect(receivable?.disputes.map((d) => d.reason)).toEqual([DISPUTE_REASON]);
    await expectApiError(integration.activities({}), 'FORBIDDEN');
    const { text } = await raw(token, '{ activities { nodes { note } } }');
    expect(text).not.toContain('SECRET-CALL-NOTE');
  });
});
