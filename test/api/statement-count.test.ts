/**
 * Field resolvers go through per-request DataLoaders: asking each customer's owner,
 * balances and first receivables costs the same number of SQL statements for a page of
 * 50 customers as for a page of 5.
 */
import { factories } from '../helpers/factories';
import { startTestServer, TestServer } from '../helpers/server';

let server: TestServer;

const QUERY = /* GraphQL */ `
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
  server = await startTestServer();
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

async function statementsFor(first: number): Promise<{ statements: number; customers: number; receivables: number }> {
  const before = await server.statementCount();
  const data = await server.admin.request<{ customers: { edges: { node: { receivables: { nodes: unknown[] } } }[] } }, { first: number }>(QUERY, { first });
  const after = await server.statementCount();
  return {
    statements: after - before,
    customers: data.customers.edges.length,
    receivables: data.customers.edges.reduce((n, e) => n + e.node.receivables.nodes.length, 0),
  };
}

test('a page of 50 customers with nested fields runs as many statements as a page of 5', async () => {
  const small = await statementsFor(5);
  const large = await statementsFor(50);
  expect(small.customers).toBe(5);
  expect(large.customers).toBe(50);
  expect(large.receivables).toBe(150);
  expect(large.statements).toBe(small.statements);
  // Authentication, page + total, owners, balances, receivable page + totals, customers,
  // salespeople, allocations, payments: a small constant, not one per row.
  expect(large.statements).toBeLessThanOrEqual(12);
});
