/**
 * Webhook jobs are enqueued in the transaction that writes the events, in-process: an
 * event's transaction sees its endpoint's job before it commits, a rollback takes the job
 * (and the event) away, so nothing is ever sent for it; the committed event is sent. A
 * statement that writes no event (a judgement with nothing to tell) enqueues no job, for
 * the endpoints nor for the notifications' fan-out.
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

/** Jobs under the endpoint's key and the fan-out's that the transaction of `em` enqueued or moved (their row versions are its own). */
async function jobsOfThisTransaction(em: EntityManager, keys: [string, string]): Promise<number[]> {
  const rows: { n: string }[] = await em.execute(
    `select (select count(*) from graphile_worker._private_jobs j
              where j.key = k.key and j.xmin::text::bigint = pg_current_xact_id()::text::bigint % 4294967296) as n
       from (values (1, ?), (2, ?)) as k(i, key) order by k.i`,
    keys,
  );
  return rows.map((row) => Number(row.n));
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

test('a statement that writes no event enqueues no job; one that writes an event enqueues both', async () => {
  const keys: [string, string] = [`webhook:${endpointId}`, 'notifications:fanout'];
  const em = scope.orm.em.fork();
  const seen = await em
    .transactional(async (tx) => {
      // The shape of a judgement that found nothing to tell: an insert of no row.
      await tx.execute(
        `insert into overdue_event (seq, id, type, customer_id, salesperson_id, detail, as_of)
       select nextval('overdue_event_seq_seq'), gen_random_uuid(), 'DISPUTE_OPENED', c.id, c.owner_id, 'none', current_date from customer c where false`,
      );
      const none = await jobsOfThisTransaction(tx, keys);
      await appendDispute(tx, 'one');
      const one = await jobsOfThisTransaction(tx, keys);
      throw Object.assign(new Error('roll back'), { seen: { none, one } });
    })
    .catch((e: { seen?: unknown }) => e.seen ?? e); // any other failure shows itself in the comparison
  expect(seen).toEqual({ none: [0, 0], one: [1, 1] });
});
