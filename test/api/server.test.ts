/** What operators and admins see of the running server: health, readiness, metrics, playground, restarts. */
import { ADMIN_PASSWORD, startTestServer, TestServer } from '../helpers/server';

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

describe('operations', () => {
  let ops: TestServer;
  beforeAll(async () => {
    ops = await startTestServer({ LOG_LEVEL: 'info', CLOCK_DATE: '2026-12-01' });
  });
  afterAll(() => ops.close());

  const metricsText = async () => (await fetch(ops.url.replace(/\/graphql$/, '/metrics'))).text();

  test('metrics cover operations, errors by code, scans and events, subscriptions, loader batches and the pool', async () => {
    const finance = await ops.createUser('FINANCE');
    const sales = await ops.createUser('SALES');
    const { createCustomer } = await finance.client.createCustomer({
      input: { code: 'OPS-1', name: 'Ops Ltd', ownerId: sales.id, creditTermDays: 30, creditLimit: '10.00' },
    });
    await finance.client.createReceivable({ input: { customerId: createCustomer.id, reference: 'O-1', amount: '10.00', issuedOn: '2026-10-01' } });
    await expect(ops.anonymous().me()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const stream = finance.client.subscribeOverdueEvents();
    const first = stream.next();
    const { runOverdueScan: scan } = await finance.client.runOverdueScan({ asOf: '2026-12-01' });
    await first;
    await finance.client.customers({ first: 10 });

    const text = await metricsText();
    expect(text).toMatch(/^huikuan_graphql_requests_total\{operation="runOverdueScan"\} 1$/m);
    expect(text).toMatch(/^huikuan_graphql_request_duration_seconds_count\{operation="customers"\} 1$/m);
    expect(text).toMatch(/^huikuan_graphql_errors_total\{code="UNAUTHENTICATED"\} 1$/m);
    expect(text).toMatch(/^huikuan_overdue_scan_duration_seconds_count [1-9]/m);
    // Timed until the commit has ended: at least the scan's durationMs, which stops before it.
    const scanSeconds = Number(/^huikuan_overdue_scan_duration_seconds_sum (\S+)$/m.exec(text)?.[1]);
    expect(scanSeconds).toBeGreaterThanOrEqual(scan.durationMs / 1000);
    expect(text).toMatch(/^huikuan_overdue_events_total\{type="BECAME_OVERDUE"\} 1$/m);
    expect(text).toMatch(/^huikuan_active_subscriptions 1$/m);
    expect(text).toMatch(/^huikuan_dataloader_batch_size_count\{loader="userById"\} [1-9]/m);
    expect(text).toMatch(/^huikuan_db_pool_connections\{state="used"\} \d+$/m);
    await stream.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await metricsText()).toMatch(/^huikuan_active_subscriptions 0$/m);
  });

  test('each request gets an id (echoed, or the caller’s); logs are JSON with operation, duration and user, never secrets', async () => {
    const response = await fetch(ops.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-42' },
      body: JSON.stringify({
        query: 'mutation signIn($e: String!, $p: String!) { login(email: $e, password: $p) { token } }',
        variables: { e: 'admin@test.example', p: ADMIN_PASSWORD },
      }),
    });
    expect(response.headers.get('x-request-id')).toBe('trace-42');
    const token = ((await response.json()) as { data: { login: { token: string } } }).data.login.token;
    const generated = await fetch(ops.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    await new Promise((resolve) => setTimeout(resolve, 200));
    const lines = ops
      .logs()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    const signIn = lines.map((l) => JSON.parse(l)).find((entry) => entry.requestId === 'trace-42');
    expect(signIn).toMatchObject({ operation: 'signIn', msg: 'graphql operation' });
    expect(typeof signIn.durationMs).toBe('number');
    const me = await ops.client(token).me();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const withUser = ops
      .logs()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .filter((e) => e.operation === 'me')
      .pop();
    expect(withUser.userId).toBe(me.me.id);
    // Metrics count by root field (bounded by the schema), logs keep the client's name.
    const text = await metricsText();
    expect(text).toMatch(/^huikuan_graphql_requests_total\{operation="login"\} [1-9]/m);
    expect(text).not.toContain('operation="signIn"');
    expect(ops.logs()).not.toContain(ADMIN_PASSWORD);
    expect(ops.logs()).not.toContain(token);
  });
});
