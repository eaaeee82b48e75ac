/**
 * Webhook jobs are enqueued in the transaction that writes the events, in-process: an
 * event's transaction sees its endpoint's job before it commits, a rollback takes the job
 * (and the event) away, so nothing is ever sent for it; the committed event is sent.
 */
import 'reflect-metadata';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal } from '../../server/core/auth';
import { appendOverdueEvent } from '../../server/modules/overdue/overdue.append';
import { OverdueEventType } from '../../server/modules/overdue/overdue.types';
import { openServiceScope, type ServiceScope } from '../helpers/service-scope';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

const TODAY = '2026-12-07';

let scope: ServiceScope;
let receiver: WebhookReceiver;
let endpointId: string;
let customerId: string;

beforeAll(async () => {
  scope = await openServiceScope({ today: TODAY, env: { WEBHOOK_ALLOW_PRIVATE: '1' } });
  receiver = await startWebhookReceiver();
  const sales: Principal = await scope.createUser('SALES');
  customerId = (await scope.make.customer(sales)).id;
  const created = await scope.unit().services.webhooks.create(scope.admin, { url: receiver.url, filter: { customerId } });
  endpointId = created.endpoint.id;
});
afterAll(async () => {
  await receiver?.close();
  await scope?.close();
});

/** Jobs of the endpoint's drain that `em` sees (its own transaction's included). */
async function drainJobs(em: EntityManager): Promise<number> {
  const rows: { n: string }[] = await em.execute('select count(*) as n from graphile_worker.jobs where key = ?', [`webhook:${endpointId}`]);
  return Number(rows[0].n);
}

function appendDispute(em: EntityManager, detail: string) {
  return appendOverdueEvent(em, { type: OverdueEventType.DISPUTE_OPENED, customerId, detail, asOf: TODAY });
}

test('the transaction that writes an event sees its drain job; a rollback leaves neither, and nothing is sent', async () => {
  const em = scope.orm.em.fork();
  let seenInside = -1;
  await expect(
    em.transactional(async (tx) => {
      await appendDispute(tx, 'rolled back');
      seenInside = await drainJobs(tx);
      throw new Error('roll back');
    }),
  ).rejects.toThrow('roll back');
  expect(seenInside).toBe(1);
  expect(await drainJobs(scope.orm.em.fork())).toBe(0);

  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(receiver.all).toHaveLength(0);
  expect(await scope.sql('select 1 from webhook_delivery where endpoint_id = $1', [endpointId])).toHaveLength(0);
});

test('a committed event is sent', async () => {
  const { seq } = await scope.orm.em.fork().transactional((tx) => appendDispute(tx, 'committed'));
  await receiver.waitFor(1);
  expect(receiver.accepted.map((d) => [d.body.type, d.body.detail])).toEqual([['DISPUTE_OPENED', 'committed']]);
  const [event] = await scope.sql<{ id: string }>('select id::text from overdue_event where seq = $1', [seq]);
  expect(receiver.accepted[0].eventId).toBe(event.id);
});
