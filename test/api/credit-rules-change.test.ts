/**
 * Credit rules changed between two scans, black-box: the first scan after a restart with
 * other rules evaluates every customer again, also those whose receivables it judges
 * none of; the scans after it evaluate only what moved. (The rules are the server's
 * settings: a change of them is a restart with other CREDIT_* values.)
 *
 * The server's today is Monday 1 March 2027 (CLOCK_DATE). No holidays.
 */
import { type Client } from '../../sdk/index.js';
import { factories, type Factories } from '../helpers/factories';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server';

let server: TestServer;
let finance: TestUser;
let make: Factories;

beforeAll(async () => {
  server = await startTestServer({ CLOCK_DATE: '2027-03-01' });
  finance = await server.createUser('FINANCE');
  const owner = await server.createUser('SALES', 'Owner Sales');
  make = factories(server, { as: finance.client, today: '2027-03-01', ownerId: owner.id });
}, 120_000);
afterAll(() => server.close());

async function creditOf(client: Client, customerId: string) {
  const { customer } = await client.customerCredit({ id: customerId });
  return customer!.creditStatusDetail;
}

async function creditEvents(client: Client, customerId: string) {
  const { overdueEvents } = await client.overdueEvents({ first: 50, filter: { types: ['CREDIT_STATUS_CHANGED'], customerId } });
  return overdueEvents.edges.map(({ node: e }) => [e.previousState, e.state, e.asOf]);
}

test('the first scan after a change of the rules evaluates every customer again; the next ones only what moved', async () => {
  // Credit limit 10000.00; 5000.00 due Monday 4 January.
  const customerId = (await make.customer({ creditLimit: '10000.00' })).id;
  await make.receivable(customerId, { reference: 'R1', amount: '5000.00', issuedOn: '2026-12-01', dueOn: '2027-01-04' });

  // 5 January, default rules: 5000.00 overdue is 50% of the limit, below WARN's 80%.
  expect(await make.overdueScan('2027-01-05')).toMatchObject({ judged: 1, becameOverdue: 1 });
  expect(await creditOf(finance.client, customerId)).toMatchObject({ status: 'OK', asOf: '2027-01-05', overdueAmount: '5000.00', reasons: [] });

  // WARN from 40% of the limit now.
  await server.restart({ CREDIT_WARN_OVERDUE_PERCENT: '40' });

  // 6 January: R1 is judged again only on its next stage date (3 February), so this scan
  // judges nothing of the customer; the new rules still apply to it.
  expect(await make.overdueScan('2027-01-06')).toMatchObject({ judged: 0 });
  const warned = await creditOf(finance.client, customerId);
  expect(warned).toMatchObject({ status: 'WARN', derivedStatus: 'WARN', asOf: '2027-01-06', overdueAmount: '5000.00' });
  expect(warned.reasons.map((r) => [r.rule, r.status, r.actual, r.threshold])).toEqual([['OVERDUE_AMOUNT', 'WARN', '5000.00', '4000.00']]);
  expect(await creditEvents(finance.client, customerId)).toEqual([['OK', 'WARN', '2027-01-06']]);

  // 7 January, same rules: nothing moved, nothing is evaluated again.
  expect(await make.overdueScan('2027-01-07')).toMatchObject({ judged: 0 });
  expect(await creditOf(finance.client, customerId)).toMatchObject({ status: 'WARN', asOf: '2027-01-06' });
  expect(await creditEvents(finance.client, customerId)).toHaveLength(1);
});
