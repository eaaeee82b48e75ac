/**
 * One scan changes the credit status of many customers at once (their receivables cross a
 * threshold together): each change is one CREDIT_STATUS_CHANGED event, with that customer's
 * from, to and date, and the field says what the customer's last event says. Default rules
 * (docs/metrics.md): WARN from stage 30, HOLD when the overdue money reaches the limit.
 */
import type { Client } from '../../sdk/index.js';
import { factories } from '../helpers/factories';
import { latestCursor } from '../helpers/overdue-events';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
let finance: Client;

beforeAll(async () => {
  server = await startTestServer();
  finance = (await server.createUser('FINANCE')).client;
});
afterAll(() => server.close());

/** The events after `after`, as finance reads them: [customer, type, from, to, asOf]. */
async function eventsAfter(after: string | null) {
  const { overdueEvents } = await finance.overdueEvents({ after, first: 200 });
  return overdueEvents.edges.map(({ node: e }) => ({ customer: e.customer.id, type: e.type, from: e.previousState, to: e.state, asOf: e.asOf }));
}

test('a scan that moves twelve customers writes one event each, with its own from and to, after the alarms', async () => {
  const make = factories(server, { as: finance });
  // Six with a limit their one receivable reaches (HOLD once it is overdue), six far below it (WARN at stage 30).
  const tight = await Promise.all(Array.from({ length: 6 }, () => make.customer({ creditLimit: '100.00' })));
  const roomy = await Promise.all(Array.from({ length: 6 }, () => make.customer({ creditLimit: '100000.00' })));
  for (const customer of [...tight, ...roomy]) await make.receivable(customer.id, { amount: '100.00', issuedOn: '2025-01-02', dueOn: '2025-03-03' });
  const ids = (customers: { id: string }[]) => customers.map((c) => c.id).sort();

  let cursor = await latestCursor(finance);
  expect((await make.overdueScan('2025-03-04')).becameOverdue).toBe(12);
  let events = await eventsAfter(cursor);
  expect(events.slice(0, 12).every((e) => e.type === 'BECAME_OVERDUE')).toBe(true);
  expect(events.slice(12)).toEqual(ids(tight).map((customer) => ({ customer, type: 'CREDIT_STATUS_CHANGED', from: 'OK', to: 'HOLD', asOf: '2025-03-04' })));

  cursor = await latestCursor(finance);
  expect((await make.overdueScan('2025-04-02')).escalated).toBe(12);
  events = await eventsAfter(cursor);
  expect(events.slice(0, 12).every((e) => e.type === 'STAGE_ESCALATED')).toBe(true);
  expect(events.slice(12)).toEqual(ids(roomy).map((customer) => ({ customer, type: 'CREDIT_STATUS_CHANGED', from: 'OK', to: 'WARN', asOf: '2025-04-02' })));

  for (const [customers, status] of [
    [tight, 'HOLD'],
    [roomy, 'WARN'],
  ] as const) {
    for (const { id } of customers) expect((await finance.customerCredit({ id })).customer?.creditStatus).toBe(status);
  }
});
