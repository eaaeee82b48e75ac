/**
 * Signed webhooks, black-box: an ADMIN registers endpoints (local HTTP receivers started
 * here), the overdue scan writes events, and the receivers get them, signed, in order,
 * retried, given up on, sent again and replayed. Each test's endpoint filters on a
 * customer of its own, so the tests' events do not mix. Retries here back off from 100 ms
 * and give up after 3 s (WEBHOOK_RETRY_BASE, WEBHOOK_RETRY_FOR), so the story of a day
 * plays in seconds.
 */
import { verifyWebhookSignature } from '../../sdk/index.js';
import { addDays } from '../../server/core/local-date';
import { factories, type Factories } from '../helpers/factories';
import { CREDIT_RULES_OFF } from '../helpers/overdue-events';
import { rejection, startTestServer, type TestServer } from '../helpers/server';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

const TODAY = '2026-12-07';
const ENV = {
  CLOCK_DATE: TODAY,
  WEEKLY_ANALYSIS_AT: 'off',
  WEBHOOK_ALLOW_PRIVATE: '1',
  WEBHOOK_RETRY_BASE: '100ms',
  WEBHOOK_RETRY_FOR: '3s',
  WEBHOOK_DISABLE_AFTER_DEAD: '2',
  WEBHOOK_TIMEOUT: '1s',
  ...CREDIT_RULES_OFF,
};

let server: TestServer;
let make: Factories;
const receivers: WebhookReceiver[] = [];

beforeAll(async () => {
  server = await startTestServer(ENV);
  make = factories(server, { today: TODAY });
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await server.close();
});

async function receiver(): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver();
  receivers.push(started);
  return started;
}

/** A customer with `count` receivables that fall overdue at the next scan; answers the customer's id. */
async function overdueCustomer(count: number): Promise<string> {
  const customer = await make.customer();
  for (let i = 0; i < count; i++) await make.receivable(customer.id, { amount: `${100 + i}.00`, issuedOn: addDays(TODAY, -60), dueOn: addDays(TODAY, -20) });
  return customer.id;
}

/** An endpoint at the receiver for the customer's events; answers its id and secret. */
async function endpointFor(target: WebhookReceiver, customerId: string): Promise<{ id: string; secret: string; cursor: string }> {
  const { createWebhookEndpoint } = await server.admin.createWebhookEndpoint({
    url: target.url,
    filter: { customerId },
    description: 'ERP',
  });
  return { id: createWebhookEndpoint.endpoint.id, secret: createWebhookEndpoint.secret, cursor: createWebhookEndpoint.endpoint.cursor };
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('a delivery carries the event as JSON with id and type, Huikuan-Event-Id, and a signature the SDK helper verifies', async () => {
  const target = await receiver();
  const customerId = await overdueCustomer(1);
  const endpoint = await endpointFor(target, customerId);
  await make.overdueScan(TODAY);
  await target.waitFor(1);

  const [delivery] = target.accepted;
  expect(delivery.body).toMatchObject({
    type: 'BECAME_OVERDUE',
    stage: 1,
    daysOverdue: 20,
    outstanding: '100.00',
    asOf: TODAY,
    customer: { id: customerId },
  });
  expect(delivery.eventId).toBe(delivery.body.id);
  const { overdueEvents } = await server.admin.overdueEvents({ filter: { customerId } });
  expect(overdueEvents.edges.map(({ node: e }) => [e.id, e.cursor])).toEqual([[delivery.body.id, delivery.body.cursor]]);

  expect(delivery.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  expect(await verifyWebhookSignature(delivery.rawBody, delivery.signature, endpoint.secret, 300)).toBe(true);
  expect(await verifyWebhookSignature(Buffer.from(delivery.rawBody), delivery.signature, endpoint.secret, 300)).toBe(true);
  expect(await verifyWebhookSignature(delivery.rawBody.replace('100.00', '1.00'), delivery.signature, endpoint.secret, 300)).toBe(false);
  expect(await verifyWebhookSignature(delivery.rawBody, delivery.signature, 'whsec_not-the-secret', 300)).toBe(false);
  expect(await verifyWebhookSignature(delivery.rawBody, 'v1=abc', endpoint.secret, 300)).toBe(false);

  // The log: one delivery, delivered at the first attempt.
  const { webhookDeliveries } = await server.admin.webhookDeliveries({ endpointId: endpoint.id });
  expect(webhookDeliveries.totalCount).toBe(1);
  expect(webhookDeliveries.nodes[0]).toMatchObject({ status: 'DELIVERED', eventId: delivery.eventId, eventType: 'BECAME_OVERDUE' });
  expect(webhookDeliveries.nodes[0].attempts).toEqual([expect.objectContaining({ statusCode: 200, error: null })]);
});

test('a receiver that fails the first 3 attempts gets the event on the 4th, and later events wait for it: the order per endpoint holds', async () => {
  const target = await receiver();
  target.respond = (_delivery, nth) => (nth <= 3 ? 500 : 200);
  const customerId = await overdueCustomer(12);
  const endpoint = await endpointFor(target, customerId);
  await make.overdueScan(TODAY);
  await target.waitFor(12);

  const { overdueEvents } = await server.admin.overdueEvents({ filter: { customerId }, first: 50 });
  const events = overdueEvents.edges.map((e) => e.node);
  expect(target.accepted.map((d) => d.eventId)).toEqual(events.map((e) => e.id));
  // The first three requests were the first event's failed attempts.
  expect(target.all.slice(0, 4).map((d) => d.eventId)).toEqual(Array(4).fill(events[0].id));

  const { webhookDeliveries } = await server.admin.webhookDeliveries({ endpointId: endpoint.id, first: 50 });
  const first = webhookDeliveries.nodes.find((d) => d.eventId === events[0].id)!;
  expect(first.status).toBe('DELIVERED');
  expect(first.attempts.map((a) => a.statusCode)).toEqual([500, 500, 500, 200]);
  expect(first.attempts.map((a) => a.error)).toEqual(['HTTP 500', 'HTTP 500', 'HTTP 500', null]);
  expect(webhookDeliveries.nodes.every((d) => d.status === 'DELIVERED')).toBe(true);

  // Operators see the attempts in /metrics.
  const metrics = await (await fetch(server.url.replace(/\/graphql$/, '/metrics'))).text();
  const count = (outcome: string) => Number(new RegExp(`^huikuan_webhook_attempts_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? 0);
  expect(count('failed')).toBeGreaterThanOrEqual(3);
  expect(count('delivered')).toBeGreaterThanOrEqual(12);
});

test('an endpoint that does not answer within WEBHOOK_TIMEOUT fails the attempt, and the retry delivers', async () => {
  const target = await receiver();
  // The first request is answered only after 3 s, long after the server gave up on it.
  target.respond = (_delivery, nth) => (nth === 1 ? new Promise((resolve) => setTimeout(() => resolve(200), 3000)) : 200);
  const customerId = await overdueCustomer(1);
  const endpoint = await endpointFor(target, customerId);
  await make.overdueScan(TODAY);
  const [delivery] = await until(
    'the delivery',
    async () => (await server.admin.webhookDeliveries({ endpointId: endpoint.id })).webhookDeliveries.nodes,
    (nodes) => nodes[0]?.status === 'DELIVERED',
  );
  expect(delivery.attempts.map((a) => [a.statusCode, a.error])).toEqual([
    [null, 'no answer within 1000 ms'],
    [200, null],
  ]);
  expect(delivery.attempts[0].durationMs).toBeGreaterThanOrEqual(1000);
});

test('deliveries still failing after the retry window are dead; two dead in a row disable the endpoint; enabled again, new events flow and a dead one can be sent again', async () => {
  const target = await receiver();
  target.respond = () => 503;
  const customerId = await overdueCustomer(3);
  const endpoint = await endpointFor(target, customerId);
  await make.overdueScan(TODAY);

  const disabled = await until(
    'the endpoint to be disabled',
    async () => (await server.admin.webhookEndpoints()).webhookEndpoints.find((e) => e.id === endpoint.id)!,
    (e) => !e.enabled,
  );
  expect(disabled).toMatchObject({ enabled: false, consecutiveDeadDeliveries: 2, disabledReason: '2 consecutive deliveries dead' });
  const { webhookDeliveries } = await server.admin.webhookDeliveries({ endpointId: endpoint.id });
  expect(webhookDeliveries.nodes.map((d) => d.status).sort()).toEqual(['DEAD', 'DEAD', 'PENDING']);
  const dead = webhookDeliveries.nodes.filter((d) => d.status === 'DEAD');
  for (const d of dead) {
    expect(d.attempts.length).toBeGreaterThanOrEqual(3);
    expect(d.attempts.every((a) => a.statusCode === 503 && a.error === 'HTTP 503')).toBe(true);
  }
  expect(server.logs()).toContain(`webhook endpoint ${endpoint.id} disabled after 2 consecutive dead deliveries`);

  // Disabled: nothing may be sent again until it is enabled.
  const refused = await rejection(server.admin.redeliverWebhook({ deliveryId: dead[0].id }));
  expect(refused).toMatchObject({ code: 'CONFLICT', reason: 'WEBHOOK_ENDPOINT_DISABLED' });

  target.respond = () => 200;
  const { updateWebhookEndpoint } = await server.admin.updateWebhookEndpoint({ id: endpoint.id, input: { enabled: true } });
  expect(updateWebhookEndpoint).toMatchObject({ enabled: true, consecutiveDeadDeliveries: 0, disabledReason: null });
  await target.waitFor(1);
  const { redeliverWebhook } = await server.admin.redeliverWebhook({ deliveryId: dead[0].id });
  expect(redeliverWebhook).toMatchObject({ redeliveryOf: dead[0].id, eventId: dead[0].eventId });
  await target.waitFor(2);
  expect(target.accepted.map((d) => d.eventId)).toContain(dead[0].eventId);
});

test('redelivery sends one delivery again; a replay sends every event after a cursor again, in order', async () => {
  const target = await receiver();
  const customerId = await overdueCustomer(5);
  const endpoint = await endpointFor(target, customerId);
  await make.overdueScan(TODAY);
  await target.waitFor(5);
  const sent = target.accepted.map((d) => d.body);

  const { webhookDeliveries } = await server.admin.webhookDeliveries({ endpointId: endpoint.id, status: 'DELIVERED' });
  const third = webhookDeliveries.nodes.find((d) => d.eventId === sent[2].id)!;
  const { redeliverWebhook } = await server.admin.redeliverWebhook({ deliveryId: third.id });
  expect(redeliverWebhook).toMatchObject({ eventId: sent[2].id, redeliveryOf: third.id });
  await target.waitFor(6);
  expect(target.accepted[5].eventId).toBe(sent[2].id);

  // An integrator restored a backup that ends with the second event.
  await server.admin.replayWebhookEndpoint({ endpointId: endpoint.id, afterCursor: sent[1].cursor });
  await target.waitFor(9);
  expect(target.accepted.slice(6).map((d) => d.eventId)).toEqual(sent.slice(2).map((e) => e.id));
  const log = await server.admin.webhookDeliveries({ endpointId: endpoint.id, first: 50 });
  expect(log.webhookDeliveries.totalCount).toBe(9);

  const badCursor = await rejection(server.admin.replayWebhookEndpoint({ endpointId: endpoint.id, afterCursor: 'not-a-cursor' }));
  expect(badCursor).toMatchObject({ code: 'BAD_USER_INPUT', field: 'afterCursor', reason: 'INVALID_CURSOR' });
  const unknown = await rejection(server.admin.redeliverWebhook({ deliveryId: '00000000-0000-4000-8000-000000000000' }));
  expect(unknown).toMatchObject({ code: 'NOT_FOUND' });
});

test('a rotated secret: both signatures during the overlap, only the new one after it', async () => {
  const target = await receiver();
  const customerId = await overdueCustomer(1);
  const endpoint = await endpointFor(target, customerId);
  const { rotateWebhookSecret } = await server.admin.rotateWebhookSecret({ id: endpoint.id, overlapSeconds: 3600 });
  expect(rotateWebhookSecret.secret).not.toBe(endpoint.secret);
  expect(rotateWebhookSecret.endpoint.previousSecretValidUntil).not.toBeNull();
  await make.overdueScan(TODAY);
  await target.waitFor(1);
  const overlapping = target.accepted[0];
  expect(overlapping.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
  expect(await verifyWebhookSignature(overlapping.rawBody, overlapping.signature, endpoint.secret, 300)).toBe(true);
  expect(await verifyWebhookSignature(overlapping.rawBody, overlapping.signature, rotateWebhookSecret.secret, 300)).toBe(true);

  // Rotated again without overlap: only the newest secret signs.
  const again = (await server.admin.rotateWebhookSecret({ id: endpoint.id, overlapSeconds: 0 })).rotateWebhookSecret;
  expect(again.endpoint.previousSecretValidUntil).toBeNull();
  const [delivery] = (await server.admin.webhookDeliveries({ endpointId: endpoint.id })).webhookDeliveries.nodes;
  await server.admin.redeliverWebhook({ deliveryId: delivery.id });
  await target.waitFor(2);
  const after = target.accepted[1];
  expect(after.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  expect(await verifyWebhookSignature(after.rawBody, after.signature, again.secret, 300)).toBe(true);
  expect(await verifyWebhookSignature(after.rawBody, after.signature, rotateWebhookSecret.secret, 300)).toBe(false);

  const tooLong = await rejection(server.admin.rotateWebhookSecret({ id: endpoint.id, overlapSeconds: 8 * 24 * 3600 }));
  expect(tooLong).toMatchObject({ code: 'BAD_USER_INPUT', field: 'overlapSeconds', reason: 'OUT_OF_RANGE' });
});

test('only ADMIN manages webhooks; bad input changes nothing', async () => {
  const finance = await server.createUser('FINANCE');
  const forbidden = await rejection(finance.client.webhookEndpoints());
  expect(forbidden.code).toBe('FORBIDDEN');
  const before = (await server.admin.webhookEndpoints()).webhookEndpoints.length;
  for (const [url, reason] of [
    ['not a url', 'WEBHOOK_URL_INVALID'],
    ['ftp://example.com/hook', 'WEBHOOK_URL_INVALID'],
    ['https://user:pw@example.com/hook', 'WEBHOOK_URL_INVALID'],
    ['https://no-such-host.invalid/hook', 'WEBHOOK_URL_UNRESOLVABLE'],
  ] as const) {
    const error = await rejection(server.admin.createWebhookEndpoint({ url }));
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url', reason });
  }
  const badFilter = await rejection(server.admin.createWebhookEndpoint({ url: 'http://127.0.0.1:9/x', filter: { minStage: 0 } }));
  expect(badFilter).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.minStage' });
  expect((await server.admin.webhookEndpoints()).webhookEndpoints.length).toBe(before);
});

test('without WEBHOOK_ALLOW_PRIVATE, loopback, private, link-local and metadata addresses are refused at registration and at delivery', async () => {
  const target = await receiver();
  const customerId = await overdueCustomer(1);
  const endpoint = await endpointFor(target, customerId);
  await server.restart({ WEBHOOK_ALLOW_PRIVATE: '0' });
  const before = (await server.admin.webhookEndpoints()).webhookEndpoints.length;
  for (const url of [
    target.url,
    'http://localhost:8080/hook',
    'http://10.1.2.3/hook',
    'http://192.168.0.10/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[fd00:ec2::254]/hook',
  ]) {
    const error = await rejection(server.admin.createWebhookEndpoint({ url }));
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url', reason: 'WEBHOOK_URL_PRIVATE_ADDRESS' });
  }
  expect((await server.admin.webhookEndpoints()).webhookEndpoints.length).toBe(before);

  // The endpoint registered while private addresses were allowed is not reached now.
  await make.overdueScan(TODAY);
  const [delivery] = await until(
    'a refused attempt',
    async () => (await server.admin.webhookDeliveries({ endpointId: endpoint.id })).webhookDeliveries.nodes,
    (nodes) => nodes.length > 0 && nodes[0].attempts.length > 0,
  );
  expect(delivery.status).toBe('FAILED');
  expect(delivery.attempts[0]).toMatchObject({ statusCode: null, error: '127.0.0.1 resolves to a forbidden address' });
  expect(target.all).toHaveLength(0);
  await server.restart({ WEBHOOK_ALLOW_PRIVATE: '1' });
});
