/**
 * Answers PostgreSQL builds (server/db/json-projection.ts) are the answers the resolvers
 * give, byte for byte: each document is sent as it is (one statement builds the answer)
 * and with `@include(if: true)` on its root field (a directive is never projected, so
 * graphql-js executes it through the resolvers), by a FINANCE user and by a salesperson
 * who sees only their own customers.
 */
import { Client as PgClient } from 'pg';
import { addDays } from '../../server/core/local-date';
import { factories } from '../helpers/factories';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server';

let server: TestServer;
let finance: TestUser;
let sales: TestUser;
const ids: { own: string; other: string } = { own: '', other: '' };

beforeAll(async () => {
  server = await startTestServer({ PRINCIPAL_CACHE_SECONDS: '60' });
  finance = await server.createUser('FINANCE');
  sales = await server.createUser('SALES', 'Sales "Own" \\ Ünïcødé 销售');
  const other = await server.createUser('SALES');
  const make = factories(server, { as: finance.client });
  const names = ['Jinhua "Trading" \\ Co', 'Zürich Ä 金华 😀', 'Plain Customer', "O'Brien & Sons </script>"];
  for (const [i, name] of names.entries()) {
    const customer = await make.customer({ code: `PA${i}`, name, ownerId: i % 2 === 0 ? sales.id : other.id, creditLimit: '12345.60' });
    if (i === 0) ids.own = customer.id;
    if (i === 1) ids.other = customer.id;
    const open = await make.receivable(customer.id, { reference: `OPEN-${i}`, amount: '100.00', issuedOn: make.today });
    const partly = await make.receivable(customer.id, { reference: `PART-${i}`, amount: '250.50' });
    const paid = await make.receivable(customer.id, { reference: `PAID-${i}`, amount: '80.00' });
    const writtenOff = await make.receivable(customer.id, { reference: `WOFF-${i}`, amount: '33.30' });
    await make.payment(customer.id, {
      amount: '500.00',
      allocations: [
        { receivableId: partly.id, amount: '50.25' },
        { receivableId: paid.id, amount: '80.00' },
      ],
    });
    await finance.client.writeOffReceivable({ id: writtenOff.id, reason: 'settled out of court' });
    void open;
  }
  await make.overdueScan();
  // One customer on HOLD by a manager's override: a stored credit status besides the OKs of the others.
  const manager = await server.createUser('MANAGER');
  await manager.client.overrideCreditStatus({ customerId: ids.own, status: 'HOLD', reason: 'prepayment only', until: addDays(make.today, 7) });
}, 120_000);
afterAll(() => server.close());

const DASHBOARD = /* GraphQL */ `
  query dashboard($first: Int!) {
    customers(first: $first) @ROOT {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          code
          name
          creditLimit
          owner {
            id
            name
          }
          outstanding
          overdueAmount
          creditBalance
          receivables(first: 5) {
            nodes {
              id
              reference
              amount
              dueOn
              outstanding
              status
            }
          }
        }
      }
    }
  }
`;

const EVERYTHING = /* GraphQL */ `
  query everything($first: Int, $after: String, $receivablesFirst: Int = 2) {
    list: customers(first: $first, after: $after) @ROOT {
      __typename
      nodes {
        ...Customer
        receivables(first: $receivablesFirst) {
          __typename
          totalCount
          pageInfo {
            __typename
            hasNextPage
            endCursor
          }
          edges {
            __typename
            cursor
            node {
              __typename
              id
              reference
              amount
              issuedOn
              dueOn
              effectiveDueOn
              outstanding
              writtenOffAmount
              writtenOffAt
              writeOffReason
              createdAt
              status
            }
          }
        }
      }
      pageInfo {
        endCursor
        hasNextPage
      }
    }
  }
  fragment Customer on Customer {
    __typename
    id
    code
    name
    creditTermDays
    creditLimit
    outstanding
    overdueAmount
    alarmedAmount
    creditBalance
    creditStatus
    createdAt
    updatedAt
    owner {
      ... on User {
        id
        email
        name
        role
        active
        createdAt
      }
    }
  }
`;

const ONE = /* GraphQL */ `
  query one($id: ID!) {
    customer(id: $id) @ROOT {
      id
      code
      name
      creditLimit
      creditStatus
      outstanding
      owner {
        id
        name
      }
      receivables(first: 3) {
        nodes {
          reference
          status
        }
      }
    }
  }
`;

const AGING = /* GraphQL */ `
  query aging($asOf: LocalDate!) {
    agingReport(asOf: $asOf) @ROOT {
      __typename
      asOf
      total
      current
      d1to30
      d31to60
      d61to90
      over90
      receivables
      overdueCount
      bySalesperson {
        salesperson {
          id
          name
          email
        }
        total
        current
        d1to30
        over90
        receivables
        overdueCount
      }
    }
  }
`;

/** The answer's status and text, and the statements the server sent for it. */
async function answer(user: TestUser, document: string, variables: Record<string, unknown>, projected: boolean) {
  const query = document.replace('@ROOT', projected ? '' : '@include(if: true)');
  const before = await server.statementCount();
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return { status: response.status, text, statements: (await server.statementCount()) - before };
}

async function expectSameAnswer(user: TestUser, document: string, variables: Record<string, unknown>): Promise<string> {
  await answer(user, document, variables, true); // the principal is cached from here on
  const projected = await answer(user, document, variables, true);
  const executed = await answer(user, document, variables, false);
  expect(projected.text).toBe(executed.text);
  expect(projected.status).toBe(executed.status);
  expect(projected.statements).toBe(1);
  return projected.text;
}

test('the dashboard page, for finance and for a salesperson', async () => {
  // Executed, it is the page and then the receivables of its customers.
  expect((await answer(finance, DASHBOARD, { first: 50 }, false)).statements).toBe(2);
  const all = JSON.parse(await expectSameAnswer(finance, DASHBOARD, { first: 50 })) as { data: { customers: { totalCount: number } } };
  expect(all.data.customers.totalCount).toBe(4);
  const own = JSON.parse(await expectSameAnswer(sales, DASHBOARD, { first: 50 })) as { data: { customers: { totalCount: number } } };
  expect(own.data.customers.totalCount).toBe(2);
});

test('every projected field, aliases, fragments and __typename, page by page', async () => {
  for (const user of [finance, sales]) {
    let after: string | null = null;
    for (let page = 0; page < 3; page++) {
      const text = await expectSameAnswer(user, EVERYTHING, { first: 1, after });
      after = (JSON.parse(text) as { data: { list: { pageInfo: { endCursor: string | null } } } }).data.list.pageInfo.endCursor;
    }
    await expectSameAnswer(user, EVERYTHING, { first: 0, receivablesFirst: 0 });
    await expectSameAnswer(user, EVERYTHING, { receivablesFirst: 4 });
  }
});

test('one customer: visible, another salesperson’s, no uuid', async () => {
  const own = JSON.parse(await expectSameAnswer(sales, ONE, { id: ids.own })) as { data: { customer: { code: string; creditStatus: string } | null } };
  expect(own.data.customer).toMatchObject({ code: 'PA0', creditStatus: 'HOLD' });
  const hidden = JSON.parse(await expectSameAnswer(sales, ONE, { id: ids.other })) as { data: { customer: unknown } };
  expect(hidden.data.customer).toBeNull();
  const seen = JSON.parse(await expectSameAnswer(finance, ONE, { id: ids.other })) as { data: { customer: { code: string } | null } };
  expect(seen.data.customer?.code).toBe('PA1');
});

test('the aging report of every salesperson, today and a year back', async () => {
  for (const asOf of [factories(server).today, '2025-12-31']) {
    const report = JSON.parse(await expectSameAnswer(finance, AGING, { asOf })) as { data: { agingReport: { bySalesperson: unknown[] } } };
    expect(report.data.agingReport.bySalesperson.length).toBe(asOf === '2025-12-31' ? 0 : 2);
  }
  // A salesperson's own report is read by the resolver.
  const own = await answer(sales, AGING, { asOf: factories(server).today }, true);
  expect(own.text).toBe((await answer(sales, AGING, { asOf: factories(server).today }, false)).text);
});

test('a statement that runs out of time is refused as the resolver’s would be, at once, not asked again', async () => {
  const instance = await server.startInstance({ DB_STATEMENT_TIMEOUT: '1000ms' });
  const pg = new PgClient({ connectionString: server.databaseUrl });
  await pg.connect();
  try {
    const send = async (document: string, variables: Record<string, unknown>, projected: boolean) => {
      const started = Date.now();
      const response = await fetch(instance.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${finance.token}` },
        body: JSON.stringify({ query: document.replace('@ROOT', projected ? '' : '@include(if: true)'), variables }),
      });
      return { status: response.status, text: await response.text(), ms: Date.now() - started };
    };
    await send(ONE, { id: ids.own }, true); // signed in before the lock
    await pg.query('begin');
    await pg.query('lock table customer in access exclusive mode');
    for (const [document, variables] of [
      [DASHBOARD, { first: 5 }],
      [ONE, { id: ids.own }],
    ] as const) {
      const projected = await send(document, variables, true);
      const executed = await send(document, variables, false);
      expect(projected.text).toContain('STATEMENT_TIMEOUT');
      expect(projected.text).toBe(executed.text);
      expect(projected.status).toBe(executed.status);
      expect(projected.ms).toBeLessThan(1900);
    }
  } finally {
    await pg.query('rollback');
    await pg.end();
    await instance.stop();
  }
});

test('refusals come from the resolvers, as before', async () => {
  for (const variables of [{ first: 201 }, { first: 1, after: 'not a cursor' }]) {
    const projected = await answer(finance, EVERYTHING, variables, true);
    const executed = await answer(finance, EVERYTHING, variables, false);
    expect(projected.text).toBe(executed.text);
    expect(projected.text).toContain('BAD_USER_INPUT');
  }
  const lead = await server.createUser('PROJECT_LEAD');
  const projected = await answer(lead, DASHBOARD, { first: 5 }, true);
  expect(projected.text).toBe((await answer(lead, DASHBOARD, { first: 5 }, false)).text);
  expect(projected.text).toContain('FORBIDDEN');
});
