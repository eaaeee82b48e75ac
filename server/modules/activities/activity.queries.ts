/** The activities area's SQL: storing an activity, finding a retried one, the list and look-ups by id. */
import { EntityManager } from '@mikro-orm/postgresql';
import { type LocalDate } from '../../core/local-date';
import { Page } from '../../core/pagination';
import { keysetPage } from '../../db/keyset';
import { defineQuery, defineStatement, pgArray, type SqlRow, Where } from '../../db/sql';
import { type Cents } from '../../core/money';
import { ActivityKind, ActivityOutcome, CollectionActivity } from './activity.types';

const COLUMNS = `a.id, a.customer_id, a.kind, a.outcome, a.note, a.receivable_ids::text[] as receivable_ids,
  (extract(epoch from a.occurred_at) * 1000)::bigint as occurred_ms, a.occurred_on::text as occurred_on,
  a.next_action_on::text as next_action_on, a.recorded_by_id, (extract(epoch from a.recorded_at) * 1000)::bigint as recorded_ms,
  a.content_hash`;

function decodeActivity(row: SqlRow): CollectionActivity & { contentHash: string | null } {
  return Object.assign(new CollectionActivity(), {
    id: row.text('id'),
    customerId: row.text('customer_id'),
    kind: row.isNull('kind') ? null : row.oneOf('kind', ActivityKind),
    outcome: row.oneOf('outcome', ActivityOutcome),
    note: row.text('note'),
    receivableIds: row.raw.receivable_ids as string[],
    occurredAt: row.epochMs('occurred_ms'),
    occurredOn: row.date('occurred_on'),
    nextActionOn: row.isNull('next_action_on') ? null : row.date('next_action_on'),
    recordedById: row.text('recorded_by_id'),
    recordedAt: row.epochMs('recorded_ms'),
    contentHash: row.textOrNull('content_hash'),
  });
}

export interface NewActivity {
  id: string;
  customerId: string;
  kind: ActivityKind | null;
  outcome: ActivityOutcome;
  note: string;
  receivableIds: string;
  occurredAt: Date;
  occurredOn: LocalDate;
  nextActionOn: LocalDate | null;
  recordedById: string;
  idempotencyKey: string | null;
  contentHash: string | null;
}

/** Stores an activity; answers nothing when its idempotency key is taken (the caller reads the earlier one). */
export const INSERT_ACTIVITY = defineQuery<NewActivity, CollectionActivity & { contentHash: string | null }>({
  text: `insert into collection_activity as a (id, customer_id, kind, outcome, note, receivable_ids, occurred_at, occurred_on, next_action_on,
                                              recorded_by_id, idempotency_key, content_hash)
         values (cast(:id as uuid), cast(:customerId as uuid), :kind, :outcome, :note, cast(:receivableIds as uuid[]), :occurredAt,
                 cast(:occurredOn as date), cast(:nextActionOn as date), cast(:recordedById as uuid), :idempotencyKey, :contentHash)
         on conflict (recorded_by_id, idempotency_key) do nothing
         returning ${COLUMNS}`,
  decode: decodeActivity,
});

/** The activity a user stored under an idempotency key. */
export const ACTIVITY_BY_KEY = defineQuery<{ recordedById: string; key: string }, CollectionActivity & { contentHash: string | null }>({
  text: `select ${COLUMNS} from collection_activity a where a.recorded_by_id = cast(:recordedById as uuid) and a.idempotency_key = :key`,
  decode: decodeActivity,
});

export const ACTIVITIES_BY_ID = defineQuery<{ ids: string }, CollectionActivity>({
  text: `select ${COLUMNS} from collection_activity a where a.id = any(cast(:ids as uuid[]))`,
  decode: decodeActivity,
});

/** Links the payment notices a CLAIMS_PAID activity (or reportPaymentNotice) stored to the activity. */
export const LINK_NOTICES = defineStatement<{ activityId: string; noticeIds: string }>({
  text: `insert into collection_activity_notice (payment_notice_id, activity_id)
         select n, cast(:activityId as uuid) from unnest(cast(:noticeIds as uuid[])) as n`,
});

/** The customer of each of these receivables (to check they belong to the activity's customer) and what is outstanding on it. */
export const CUSTOMERS_OF_RECEIVABLES = defineQuery<{ ids: string }, { id: string; customerId: string; outstanding: Cents }>({
  text: 'select id, customer_id, outstanding from receivable where id = any(cast(:ids as uuid[]))',
  decode: (row) => ({ id: row.text('id'), customerId: row.text('customer_id'), outstanding: row.cents('outstanding') }),
});

export interface ActivityListArgs {
  ownerScope: string | undefined;
  customerId: string | undefined;
  from: LocalDate | undefined;
  to: LocalDate | undefined;
  first: number;
  after: string | undefined;
  count: boolean;
}

/** Newest first (by when they occurred), as far as the caller sees the customers. */
export function activityPage(em: EntityManager, args: ActivityListArgs): Promise<Page<CollectionActivity>> {
  const where = new Where();
  if (args.ownerScope) where.add('c.owner_id = :ownerScope', { ownerScope: args.ownerScope });
  if (args.customerId) where.addIdEquals('a.customer_id', 'customerId', args.customerId);
  if (args.from) where.add('a.occurred_on >= cast(:from as date)', { from: args.from });
  if (args.to) where.add('a.occurred_on <= cast(:to as date)', { to: args.to });
  return keysetPage<CollectionActivity>(em, {
    columns: COLUMNS,
    decode: decodeActivity,
    from: 'from collection_activity a join customer c on c.id = a.customer_id',
    where,
    keys: [
      { column: 'a.occurred_at', cast: 'timestamptz', value: (a) => a.occurredAt.toISOString() },
      { column: 'a.id', cast: 'uuid', value: (a) => a.id },
    ],
    descending: true,
    first: args.first,
    after: args.after,
    count: args.count,
  });
}

export const uuidArray = (ids: readonly string[]): string => pgArray(ids);
