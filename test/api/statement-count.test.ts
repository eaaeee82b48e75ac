/**
 * The dashboard page (customers with owner, balances and first receivables) is one
 * statement that builds the answer in PostgreSQL (db/json-projection.ts). Where the
 * resolvers answer (a filter, relations without a projection), field resolvers go through
 * per-request DataLoaders and root resolvers read what their selection asks for in their
 * own statement: the same few SQL statements, in the same few round trips, for a page of
 * 50 customers as for a page of 5.
 *
 * Round trips are read from `huikuan_db_round_trips_total{pool="requests"}`: the server
 * counts a statement sent while none of the pool is in flight as a new round trip, so for
 * one request on an otherwise idle server it counts the stretches in which the request
 * waited for the database. That is exact when each step's statements are answered before
 * the next step sends (the dashboard page: the page, then the receivables of its
 * customers); a statement sent while an unrelated one is still in flight joins its round
 * trip, so for deeper queries it is a lower bound. The token's principal is cached by then
 * (PRINCIPAL_CACHE_SECONDS, set long here so a slow machine cannot let it lapse between
 * warm-up and measurement).
 */
import { factories } from '../helpers/factories';
import { startTestServer, TestServer } from '../helpers/server';

let server: TestServer;

const DASHBOARD = /* GraphQL */ `
  query dashboard($first: Int!) {
    customers(first: $first) {
      totalCount
      edges {
        cursor
        node {
          id
          code
          name
          owner {
            id
            name
          }
          outstanding
          overdueAmount
          creditBalance
          receivables(first: 5) {
            totalCount
            nodes {
              id
              reference
              amount
              outstanding
              dueOn
              effectiveDueOn
              status
            }
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

const NESTED = /* GraphQL */ `
  query customersWithDetails($first: Int!) {
    customers(first: $first) {
      totalCount
      edges {
        node {
          code
          owner {
            id
            name
          }
          outstanding
          overdueAmount
          creditBalance
          receivables(first: 5) {
            totalCount
            nodes {
              reference
              outstanding
              customer {
                code
              }
              salesperson {
                name
              }
              allocations {
                amount
                payment {
                  receivedOn
                }
              }
            }
          }
        }
      }
    }
  }
`;

beforeAll(async () => {
  server = await startTestServer({ PRINCIPAL_CACHE_SECONDS: '60' });
  const finance = await server.createUser('FINANCE');
  const owners = [await server.createUser('SALES'), await server.createUser('SALES'), await server.createUser('SALES')];
  const make = factories(server, { as: finance.client });
  for (let i = 0; i < 60; i++) {
    const customer = await make.customer({ code: `SC${String(i).padStart(3, '0')}`, name: `Customer ${i}`, ownerId: owners[i % 3].id, creditLimit: '1000.00' });
    for (let j = 0; j < 3; j++) {
      await make.receivable(customer.id, { reference: `R${j}`, amount: '100.00', issuedOn: '2026-01-05' });
    }
    await make.payment(customer.id, { amount: '150.00', receivedOn: '2026-01-06', lagReason: 'historical import' });
  }
}, 120_000);
afterAll(() => server.close());

async function roundTrips(): Promise<number> {
  const text = await (await fetch(server.url.replace(/\/graphql$/, '/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith('huikuan_db_round_trips_total{pool="requests"} '));
  return Number(line?.split(' ')[1] ?? NaN);
}

interface Cost {
  statements: number;
  roundTrips: number;
  customers: number;
  receivables: number;
}

async function costOf(query: string, first: number): Promise<Cost> {
  await server.admin.request(query, { first: 1 }); // the principal is cached from here on
  const [statementsBefore, tripsBefore] = [await server.statementCount(), await roundTrips()];
  const data = await server.admin.request<{ customers: { edges: { node: { receivables: { nodes: unknown[] } } }[] } }, { first: number }>(query, { first });
  const [statementsAfter, tripsAfter] = [await server.statementCount(), await roundTrips()];
  return {
    statements: statementsAfter - statementsBefore,
    roundTrips: tripsAfter - tripsBefore,
    customers: data.customers.edges.length,
    receivables: data.customers.edges.reduce((n, e) => n + e.node.receivables.nodes.length, 0),
  };
}

test('the dashboard page: one statement in one round trip, for 5 customers as for 50', async () => {
  const small = await costOf(DASHBOARD, 5);
  const large = await costOf(DASHBOARD, 50);
  expect([small.customers, large.customers, large.receivables]).toEqual([5, 50, 150]);
  // PostgreSQL builds the whole answer (db/json-projection.ts): page, total, owners, balances, receivables.
  for (const cost of [small, large]) expect(cost).toMatchObject({ statements: 1, roundTrips: 1 });
});

test('the dashboard page with a filter (read by the resolvers): at most 4 statements in at most 2 round trips', async () => {
  const filtered = DASHBOARD.replace('customers(first: $first)', 'customers(first: $first, filter: { search: "SC" })');
  const small = await costOf(filtered, 5);
  const large = await costOf(filtered, 50);
  expect([small.customers, large.customers, large.receivables]).toEqual([5, 50, 150]);
  // The page with its total, owners and balances; the receivables of its customers with their totals.
  for (const cost of [small, large]) {
    expect(cost.statements).toBeLessThanOrEqual(4);
    expect(cost.roundTrips).toBeLessThanOrEqual(2);
  }
  expect(large).toMatchObject({ statements: small.statements, roundTrips: small.roundTrips });
  expect(large.roundTrips).toBeGreaterThanOrEqual(1);
});

test('credit status on the dashboard page: in its one statement; with its detail (read by the resolvers) one statement more, for 5 customers as for 50', async () => {
  const withStatus = DASHBOARD.replace('overdueAmount', 'overdueAmount creditStatus');
  for (const first of [5, 50]) expect(await costOf(withStatus, first)).toMatchObject({ statements: 1, roundTrips: 1 });
  const withDetail = DASHBOARD.replace(
    'overdueAmount',
    'overdueAmount creditStatus creditStatusDetail { status asOf overdueAmount reasons { rule description } override { reason } }',
  );
  const small = await costOf(withDetail, 5);
  const large = await costOf(withDetail, 50);
  expect([small.customers, large.customers]).toEqual([5, 50]);
  // The page with its total, owners and balances; the receivables of its customers; their credit status.
  expect(large.statements).toBe(small.statements);
  expect(large.statements).toBeLessThanOrEqual(3);
});

test('nested relations of a page of 50 customers run as many statements as a page of 5', async () => {
  const small = await costOf(NESTED, 5);
  const large = await costOf(NESTED, 50);
  expect([small.customers, large.customers, large.receivables]).toEqual([5, 50, 150]);
  expect(large.statements).toBe(small.statements);
  // Page (with total, owners, balances), receivables (with totals), their customers,
  // salespeople, allocations, payments: a small constant, not one per row.
  expect(large.statements).toBeLessThanOrEqual(6);
  // Page, receivables, then their relations: at least three waits, whatever overlaps after that.
  expect(large.roundTrips).toBeGreaterThanOrEqual(3);
});
