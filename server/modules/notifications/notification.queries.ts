/**
 * The notifications area's SQL: settings with their defaults, who hears of which stream
 * events, the outbox (written with each row's send job), claiming and recording a send,
 * and the list of notifications.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { Locale } from '../users/user.locale';
import { type Page } from '../../core/pagination';
import { JOB_SCHEMA } from '../../db/job-queue';
import { keysetPage } from '../../db/keyset';
import { defineQuery, defineStatement, type SqlRow, Where } from '../../db/sql';
import type { EventForPeople, LateBooking } from './notification.texts';
import { NotificationChannel, NotificationKind, NotificationStatus, Notification } from './notification.types';

export const SEND_TASK = 'notification_send';
export const FANOUT_TASK = 'notifications_fanout';
export const NOTIFICATION_SWEEP_TASK = 'notifications_sweep';
export const REMINDERS_TASK = 'notifications_reminders';
export const WEEKLY_TASK = 'notifications_weekly';
export const LATE_BOOKING_TASK = 'notifications_late_booking';
export const DIGEST_TASK = 'notifications_digest';
export const ESCALATION_TASK = 'notifications_escalation';

/** A user's settings, with the defaults of a user who never changed them. */
export interface SettingsRow {
  userId: string;
  email: string;
  locale: Locale;
  emailEnabled: boolean;
  imWebhookUrl: string | null;
  preferences: Record<string, string>;
}

function decodeSettings(row: SqlRow): SettingsRow {
  return {
    userId: row.text('id'),
    email: row.text('email'),
    locale: row.oneOf('locale', Locale),
    emailEnabled: row.bool('email_enabled'),
    imWebhookUrl: row.textOrNull('im_webhook_url'),
    preferences: row.json('preferences') as Record<string, string>,
  };
}

const SETTINGS_COLUMNS = `u.id, u.email, u.locale, coalesce(s.email_enabled, true) as email_enabled,
  s.im_webhook_url, coalesce(s.preferences, '{}'::jsonb) as preferences`;

export const SETTINGS = defineQuery<{ userId: string }, SettingsRow>({
  text: `select ${SETTINGS_COLUMNS} from app_user u left join notification_settings s on s.user_id = u.id where u.id = cast(:userId as uuid)`,
  decode: decodeSettings,
});

export const SAVE_SETTINGS = defineStatement<{ userId: string; emailEnabled: boolean; imWebhookUrl: string | null; preferences: string }>({
  text: `insert into notification_settings (user_id, email_enabled, im_webhook_url, preferences)
         values (cast(:userId as uuid), :emailEnabled, :imWebhookUrl, cast(:preferences as jsonb))
         on conflict (user_id) do update
            set email_enabled = excluded.email_enabled, im_webhook_url = excluded.im_webhook_url,
                preferences = excluded.preferences, updated_at = now()`,
});

// ── The fan-out ────────────────────────────────────────────────────────────────

/** One (event, recipient) of a fan-out batch: the event as the message tells it, and where it goes. */
export interface Recipient extends EventForPeople {
  seq: string;
  kind: NotificationKind;
  userId: string;
  email: string;
  locale: Locale;
  emailEnabled: boolean;
  imWebhookUrl: string | null;
}

/** The last seq of the fan-out's next batch (up to `limit` events after its cursor); none when no event is left. */
export const BATCH_END = defineQuery<{ limit: number }, string | null>({
  text: `select max(seq)::text as seq from (
           select seq from overdue_event where seq > (select seq from notification_cursor for update) order by seq limit :limit
         ) b`,
  decode: (row) => row.textOrNull('seq'),
});

/**
 * Who hears of the events after the fan-out's cursor up to `endSeq`, with their settings;
 * a preference OFF leaves the recipient out, and so does having no channel this server can
 * use (e-mail off or no SMTP server, and no IM webhook), as the reminders do: most users
 * of a deployment without SMTP have none, and their rows were built only to be dropped.
 * The customer's owner (SALES) hears of its alarms, promises and disputes; every FINANCE
 * user of disputes.
 */
export const RECIPIENTS = defineQuery<{ endSeq: string; untold: readonly string[]; emailAvailable: boolean }, Recipient>({
  text: `with ev as (
           select e.* from overdue_event e
            where e.seq > (select seq from notification_cursor) and e.seq <= cast(:endSeq as bigint) and e.type <> all(cast(:untold as text[]))
         ),
         heard as (
           select ev.seq, c.owner_id as user_id,
                  case when ev.type in ('BECAME_OVERDUE', 'STAGE_ESCALATED', 'CLEARED') then 'OVERDUE_ALARM'
                       when ev.type like 'PROMISE%' then 'PROMISE' else 'DISPUTE' end as kind
             from ev join customer c on c.id = ev.customer_id
           union
           select ev.seq, u.id, 'DISPUTE' from ev join app_user u on u.role = 'FINANCE' and u.active where ev.type like 'DISPUTE%'
         )
         select ev.seq::text as seq, h.kind, ev.type, ${SETTINGS_COLUMNS}, c.code as customer_code, c.name as customer_name,
                r.reference, ev.stage, ev.days_overdue, ev.outstanding::text as outstanding, ev.state, ev.amount::text as amount,
                ev.as_of::text as as_of
           from heard h
           join ev on ev.seq = h.seq
           join app_user u on u.id = h.user_id and u.active and u.role in ('SALES', 'FINANCE')
           join customer c on c.id = ev.customer_id
           left join receivable r on r.id = ev.receivable_id
           left join notification_settings s on s.user_id = u.id
          where coalesce(s.preferences ->> h.kind, 'IMMEDIATE') <> 'OFF'
            and ((coalesce(s.email_enabled, true) and :emailAvailable) or s.im_webhook_url is not null)
          order by ev.seq, u.id`,
  decode: (row) => ({
    seq: row.text('seq'),
    kind: row.oneOf('kind', NotificationKind),
    type: row.text('type'),
    userId: row.text('id'),
    email: row.text('email'),
    locale: row.oneOf('locale', Locale),
    emailEnabled: row.bool('email_enabled'),
    imWebhookUrl: row.textOrNull('im_webhook_url'),
    customerCode: row.text('customer_code'),
    customerName: row.text('customer_name'),
    reference: row.textOrNull('reference'),
    stage: row.intOrNull('stage'),
    daysOverdue: row.intOrNull('days_overdue'),
    outstanding: row.textOrNull('outstanding'),
    state: row.textOrNull('state'),
    amount: row.textOrNull('amount'),
    asOf: row.date('as_of'),
  }),
});

/** An outbox row to write. */
export interface OutboxRow {
  userId: string;
  kind: NotificationKind;
  channel: NotificationChannel;
  address: string;
  subject: string;
  body: string;
  eventSeq: string | null;
  /** At most one row per key (e.g. one weekly digest per week, user and channel); null: none. */
  dedupeKey: string | null;
}

/**
 * Writes outbox rows in the caller's transaction (a row of an event already written for
 * that user and channel is skipped); with `cursorSeq` the fan-out's cursor moves there
 * too. A row of a kind the user gets as DAILY_DIGEST is kept (AWAITING_DIGEST) for the
 * digest job; every other row gets its send job in the same transaction. Answers the new
 * rows' ids.
 */
export const WRITE_OUTBOX = defineQuery<{ rows: string; cursorSeq: string | null }, string>({
  text: `with input as (
           select r.*, case when r.kind not in ('TEST', 'DAILY_DIGEST') and s.preferences ->> r.kind = 'DAILY_DIGEST'
                            then 'AWAITING_DIGEST' else 'PENDING' end as status
             from jsonb_to_recordset(cast(:rows as jsonb))
                  as r("userId" uuid, kind text, channel text, address text, subject text, body text, "eventSeq" bigint, "dedupeKey" text)
             left join notification_settings s on s.user_id = r."userId"
         ),
         made as (
           insert into notification (user_id, kind, channel, address, subject, body, event_seq, dedupe_key, status)
           select i."userId", i.kind, i.channel, i.address, i.subject, i.body, i."eventSeq", i."dedupeKey", i.status from input i
           on conflict do nothing
           returning id, status
         ),
         queued as (
           select ${JOB_SCHEMA}.add_job('${SEND_TASK}', json_build_object('id', m.id), job_key => 'notification:' || m.id) from made m
            where m.status = 'PENDING'
         ),
         moved as (
           update notification_cursor set seq = cast(:cursorSeq as bigint) where :cursorSeq is not null
         )
         select m.id, (select count(*) from queued) as queued from made m`,
  decode: (row) => row.text('id'),
});

/** A row kept for a daily digest, with its recipient's language now. */
export interface HeldNotification {
  id: string;
  userId: string;
  locale: Locale;
  channel: NotificationChannel;
  address: string;
  subject: string;
  body: string;
}

/**
 * Every row kept for a daily digest (of one user, or everyone's), by user, channel and age, locked for this
 * transaction (a digest job running beside this one skips them: no row is in two digests).
 */
export const HELD_FOR_DIGEST = defineQuery<{ userId: string | null }, HeldNotification>({
  text: `select n.id, n.user_id, u.locale, n.channel, n.address, n.subject, n.body
           from notification n join app_user u on u.id = n.user_id
          where n.status = 'AWAITING_DIGEST' and (cast(:userId as uuid) is null or n.user_id = cast(:userId as uuid))
          order by n.user_id, n.channel, n.address, n.created_at, n.event_seq, n.id
          for update of n skip locked`,
  decode: (row) => ({
    id: row.text('id'),
    userId: row.text('user_id'),
    locale: row.oneOf('locale', Locale),
    channel: row.oneOf('channel', NotificationChannel),
    address: row.text('address'),
    subject: row.text('subject'),
    body: row.text('body'),
  }),
});

/** One digest to write: the row itself (its id chosen by the caller) and the kept rows it tells. */
export interface DigestRow {
  id: string;
  userId: string;
  channel: NotificationChannel;
  address: string;
  subject: string;
  body: string;
  items: string[];
}

/**
 * Writes the digests (PENDING, each with its send job) and marks the rows they tell
 * DIGESTED with the digest's id, in one statement of the caller's transaction. Answers
 * how many digests were written.
 */
export const WRITE_DIGESTS = defineQuery<{ digests: string }, number>({
  text: `with d as (
           select * from jsonb_to_recordset(cast(:digests as jsonb))
                    as r(id uuid, "userId" uuid, channel text, address text, subject text, body text, items uuid[])
         ),
         made as (
           insert into notification (id, user_id, kind, channel, address, subject, body)
           select d.id, d."userId", 'DAILY_DIGEST', d.channel, d.address, d.subject, d.body from d
           returning id
         ),
         queued as (
           select ${JOB_SCHEMA}.add_job('${SEND_TASK}', json_build_object('id', m.id), job_key => 'notification:' || m.id) from made m
         ),
         folded as (
           update notification n set status = 'DIGESTED', digest_id = d.id
             from d where n.id = any(d.items) and n.status = 'AWAITING_DIGEST'
           returning n.id
         )
         select (select count(*) from made)::int as digests, (select count(*) from queued) as queued, (select count(*) from folded) as folded`,
  decode: (row) => row.int('digests'),
});

/** An undelivered feedback reminder of a user who can get it (a channel, reminders not off). */
export interface DueReminder extends SettingsRow {
  reminderId: string;
  period: string;
  periodStart: string;
}

/**
 * The next undelivered feedback reminders (the feedback area's table: it stores them for a
 * deliverer) of users with a channel and reminders not turned off, locked for this
 * transaction.
 */
export const DUE_REMINDERS = defineQuery<{ emailAvailable: boolean; limit: number }, DueReminder>({
  text: `select m.id as reminder_id, m.period, m.period_start::text as period_start, ${SETTINGS_COLUMNS}
           from feedback_reminder m
           join app_user u on u.id = m.user_id and u.active
           left join notification_settings s on s.user_id = u.id
          where m.delivered_at is null
            and coalesce(s.preferences ->> 'FEEDBACK_REMINDER', 'IMMEDIATE') <> 'OFF'
            and ((coalesce(s.email_enabled, true) and :emailAvailable) or s.im_webhook_url is not null)
          order by m.created_at, m.id
          limit :limit
          for update of m skip locked`,
  decode: (row) => ({ ...decodeSettings(row), reminderId: row.text('reminder_id'), period: row.text('period'), periodStart: row.date('period_start') }),
});

export const MARK_REMINDERS_DELIVERED = defineStatement<{ ids: readonly string[] }>({
  text: 'update feedback_reminder set delivered_at = now() where id = any(cast(:ids as uuid[]))',
});

/** Active users of a role with their settings, unless they turned the kind off (ADMINs: disabled endpoints; MANAGERs: the weekly digest). */
export const ROLE_SETTINGS = defineQuery<{ role: string; kind: NotificationKind }, SettingsRow>({
  text: `select ${SETTINGS_COLUMNS} from app_user u left join notification_settings s on s.user_id = u.id
          where u.role = :role and u.active and coalesce(s.preferences ->> :kind, 'IMMEDIATE') <> 'OFF'`,
  decode: decodeSettings,
});

export const USER_NAMES = defineQuery<{ ids: readonly string[] }, { id: string; name: string }>({
  text: 'select id, name from app_user where id = any(cast(:ids as uuid[]))',
  decode: (row) => ({ id: row.text('id'), name: row.text('name') }),
});

/** A payment booked late (with a lag reason), not voided, of at least `threshold`; none otherwise. */
export const LATE_BOOKING = defineQuery<{ paymentId: string; threshold: string }, LateBooking>({
  text: `select p.amount::text as amount, p.received_on::text as received_on, p.booking_lag_days, p.lag_reason, c.code, c.name
           from payment p join customer c on c.id = p.customer_id
          where p.id = cast(:paymentId as uuid) and p.lag_reason is not null and p.voided_at is null
            and p.amount >= cast(:threshold as numeric)`,
  decode: (row) => ({
    amount: row.text('amount'),
    receivedOn: row.date('received_on'),
    bookingLagDays: row.int('booking_lag_days'),
    lagReason: row.text('lag_reason'),
    customerCode: row.text('code'),
    customerName: row.text('name'),
  }),
});

/** An escalated proposal's title and note (the feedback area's table); nothing of the reports behind it. */
export const ESCALATED_PROPOSAL = defineQuery<{ proposalId: string }, { title: string; note: string | null }>({
  text: `select title, escalation_note from improvement_proposal where id = cast(:proposalId as uuid) and status = 'ESCALATED'`,
  decode: (row) => ({ title: row.text('title'), note: row.textOrNull('escalation_note') }),
});

// ── Sending ────────────────────────────────────────────────────────────────────

export interface ClaimedNotification {
  channel: NotificationChannel;
  address: string;
  subject: string;
  body: string;
  attempts: number;
}

/** Takes a due row for sending (SENDING); none when it is sent, dead, not due, or another sender has it. */
export const CLAIM = defineQuery<{ id: string }, ClaimedNotification>({
  text: `update notification set status = 'SENDING', claimed_at = now()
          where id = cast(:id as uuid) and status in ('PENDING', 'FAILED') and next_attempt_at <= now()
         returning channel, address, subject, body, attempts`,
  decode: (row) => ({
    channel: row.oneOf('channel', NotificationChannel),
    address: row.text('address'),
    subject: row.text('subject'),
    body: row.text('body'),
    attempts: row.int('attempts'),
  }),
});

/** Records an attempt: SENT, or FAILED with the next attempt at `retryAt` (null: DEAD). */
export const RECORD_SEND = defineStatement<{ id: string; error: string | null; retryAt: Date | null }>({
  text: `update notification
            set attempts = attempts + 1,
                attempt_log = attempt_log || jsonb_build_array(jsonb_build_object('at', (extract(epoch from now()) * 1000)::bigint, 'error', cast(:error as text))),
                status = case when :error is null then 'SENT' when :retryAt is null then 'DEAD' else 'FAILED' end,
                sent_at = case when :error is null then now() end,
                next_attempt_at = coalesce(cast(:retryAt as timestamptz), next_attempt_at)
          where id = cast(:id as uuid)`,
});

/** The attempt's error when the process sending a row stopped before recording the outcome (SWEEP_OUTBOX). */
const INTERRUPTED_ATTEMPT = 'interrupted: the process sending it stopped before recording the outcome';

/**
 * The sweep, a recovery path (every row gets its send job when it is written or retried):
 *
 * - A row a dead process left SENDING for two minutes counts that attempt as failed (it
 *   may have gone out: at least once) and is due again, or DEAD after `maxAttempts`, so a
 *   row that crashes its sender every time ends like any other that keeps failing.
 * - Rows due for more than a minute, oldest first, at most `limit` per sweep, get their
 *   send job again (a job a dead worker holds stays locked for hours; a crash between an
 *   attempt and its retry's job leaves none). Rows waiting for a later attempt have
 *   their job and are not touched: a backlog costs nothing per minute until it is due.
 */
export const SWEEP_OUTBOX = defineQuery<{ maxAttempts: number; limit: number }, number>({
  text: `with stuck as (
           update notification
              set attempts = attempts + 1,
                  attempt_log = attempt_log || jsonb_build_array(jsonb_build_object('at', (extract(epoch from now()) * 1000)::bigint, 'error', '${INTERRUPTED_ATTEMPT}')),
                  status = case when attempts + 1 >= :maxAttempts then 'DEAD' else 'FAILED' end,
                  next_attempt_at = now()
            where status = 'SENDING' and claimed_at < now() - interval '2 minutes'
           returning id, status, next_attempt_at
         ),
         late as (
           select n.id, n.next_attempt_at from notification n
            where n.status in ('PENDING', 'FAILED') and n.next_attempt_at < now() - interval '1 minute'
            order by n.next_attempt_at limit :limit
         ),
         due as (
           select ${JOB_SCHEMA}.add_job('${SEND_TASK}', json_build_object('id', x.id), job_key => 'notification:' || x.id,
                                        job_key_mode => 'preserve_run_at', run_at => x.next_attempt_at)
             from (select id, next_attempt_at from late union select id, next_attempt_at from stuck where status = 'FAILED') x
         ),
         fanout as (
           select ${JOB_SCHEMA}.add_job('${FANOUT_TASK}', '{}'::json, job_key => 'notifications:fanout', job_key_mode => 'preserve_run_at')
           union all
           select ${JOB_SCHEMA}.add_job('${REMINDERS_TASK}', '{}'::json, job_key => 'notifications:reminders', job_key_mode => 'preserve_run_at')
         )
         select (select count(*) from due)::int + (select count(*) from fanout)::int as queued`,
  decode: (row) => row.int('queued'),
});

// ── Reading ────────────────────────────────────────────────────────────────────

function decodeNotification(row: SqlRow): Notification {
  return Object.assign(new Notification(), {
    id: row.text('id'),
    userId: row.text('user_id'),
    kind: row.oneOf('kind', NotificationKind),
    channel: row.oneOf('channel', NotificationChannel),
    subject: row.text('subject'),
    body: row.text('body'),
    status: row.oneOf('status', NotificationStatus),
    attempts: (row.json('attempt_log') as { at: number; error: string | null }[]).map((a) => ({ at: new Date(Number(a.at)), error: a.error })),
    createdAt: row.timestamp('created_at'),
    sentAt: row.isNull('sent_at') ? null : row.timestamp('sent_at'),
    digestId: row.textOrNull('digest_id'),
  });
}

export const NOTIFICATION = defineQuery<{ id: string }, Notification>({
  text: 'select * from notification where id = cast(:id as uuid)',
  decode: decodeNotification,
});

/** A page of notifications, newest first: of one user, or everyone's. */
export function notificationPage(
  em: EntityManager,
  q: { userId: string | null; status: NotificationStatus | null; first: number; after: string | null | undefined; count: boolean },
): Promise<Page<Notification>> {
  const where = new Where();
  if (q.userId) where.addIdEquals('n.user_id', 'userId', q.userId);
  if (q.status) where.add('n.status = :status', { status: q.status });
  return keysetPage<Notification>(em, {
    columns: 'n.*',
    decode: decodeNotification,
    from: 'from notification n',
    where,
    keys: [
      { column: 'n.created_at', cast: 'timestamptz', value: (n) => n.createdAt.toISOString() },
      { column: 'n.id', cast: 'uuid', value: (n) => n.id },
    ],
    descending: true,
    first: q.first,
    after: q.after,
    count: q.count,
  });
}
