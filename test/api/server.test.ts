/** What operators and admins see of the running server: health, readiness, metrics, playground, restarts. */
import { startTestServer, TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const base = () => server.url.replace(/\/graphql$/, '');

test('GET /healthz and /readyz answer 200 when the database is reachable and migrated', async () => {
  const health = await fetch(`${base()}/healthz`);
  expect(health.status).toBe(200);
  const ready = await fetch(`${base()}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: 'ready' });
});

test('GET /metrics is Prometheus text with request and SQL counters', async () => {
  await server.admin.me();
  const response = await fetch(`${base()}/metrics`);
  expect(response.headers.get('content-type')).toMatch(/text\/plain/);
  const text = await response.text();
  expect(text).toMatch(/^huikuan_graphql_requests_total\{operation="me"\} \d+$/m);
  expect(text).toMatch(/^huikuan_db_statements_total \d+$/m);
});

test('a browser opening /graphql gets the playground, with every asset served locally', async () => {
  const page = await fetch(server.url, { headers: { accept: 'text/html' } });
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('<div id="graphiql">');
  const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  expect(assets.length).toBeGreaterThanOrEqual(5);
  for (const asset of assets) {
    expect(asset.startsWith('/')).toBe(true); // no CDN
    const response = await fetch(`${base()}${asset}`);
    expect({ asset, status: response.status }).toEqual({ asset, status: 200 });
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(100);
  }
});

test('data survives a restart, and SIGTERM shuts down cleanly', async () => {
  const sales = await server.createUser('SALES');
  const { createCustomer } = await server.admin.createCustomer({
    input: { code: 'RESTART-1', name: 'Survivor Ltd', ownerId: sales.id, creditTermDays: 30, creditLimit: '500.00' },
  });
  await server.restart();
  const { customer } = await server.admin.customer({ id: createCustomer.id });
  expect(customer?.name).toBe('Survivor Ltd');
  const extra = await server.startInstance();
  expect(await extra.stop()).toBe(0);
  expect(extra.output()).toMatch(/SIGTERM: shutting down/);
});
