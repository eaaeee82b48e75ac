import { Migration } from '@mikro-orm/migrations';

/**
 * Notifications for people (issue 11, first part): alarms by e-mail and IM bot, from the
 * one event table.
 *
 * - `notification_settings`: per user, the language of their notifications, whether
 *   e-mail is on (to the user's address), an IM incoming-webhook URL (WeCom, DingTalk,
 *   Feishu, Slack) and a preference per kind (`IMMEDIATE` or `OFF`; missing: IMMEDIATE).
 *   A user without a row has the defaults.
 * - `notification`: the outbox. One row per message to send: recipient, kind, channel,
 *   address, the rendered subject and text, the event it tells of (at most one row per
 *   event, user and channel), its state (PENDING, SENDING, SENT, FAILED with the next
 *   attempt's time, DEAD) and every attempt. Rows are written in the transaction that
 *   moves the fan-out's cursor, and each gets its send job in that transaction.
 * - `notification_cursor`: the last event the fan-out has turned into rows; it starts at
 *   the newest event (no flood of old alarms when the feature arrives).
 * - A statement-level trigger on `overdue_event` enqueues the fan-out (one keyed job) in
 *   the transaction that writes events; a sweep at start-up and every minute catches up.
 */
export class Migration20261221000000_notifications extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      create table notification_settings (
        user_id uuid primary key references app_user (id),
        locale text not null default 'zh-CN' check (locale in ('zh-CN', 'en')),
        email_enabled boolean not null default true,
        im_webhook_url text,
        preferences jsonb not null default '{}',
        updated_at timestamptz not null default now()
      );
      create table notification (
        id uuid primary key default gen_random_uuid(),
        user_id uuid not null references app_user (id),
        kind text not null,
        channel text not null check (channel in ('EMAIL', 'IM')),
        address text not null,
        subject text not null,
        body text not null,
        event_seq bigint,
        status text not null default 'PENDING' check (status in ('PENDING', 'SENDING', 'SENT', 'FAILED', 'DEAD')),
        attempts integer not null default 0,
        attempt_log jsonb not null default '[]',
        next_attempt_at timestamptz not null default now(),
        claimed_at timestamptz,
        sent_at timestamptz,
        created_at timestamptz not null default date_trunc('milliseconds', clock_timestamp())
      );
      create unique index notification_once on notification (event_seq, user_id, channel) where event_seq is not null;
      create index notification_by_user on notification (user_id, created_at, id);
      create index notification_open on notification (next_attempt_at) where status in ('PENDING', 'SENDING', 'FAILED');
      create table notification_cursor (
        singleton boolean primary key default true check (singleton),
        seq bigint not null
      );
      insert into notification_cursor (seq) select coalesce(max(seq), 0) from overdue_event;

      create function notification_enqueue_fanout() returns trigger language plpgsql as $$
      begin
        -- The server installs the queue's schema at start; a database only migrated (a
        -- template, a tool) has none, and its events wait for the first start's sweep.
        if to_regnamespace('graphile_worker') is not null then
          perform graphile_worker.add_job('notifications_fanout', '{}'::json,
                                          job_key => 'notifications:fanout', job_key_mode => 'preserve_run_at');
        end if;
        return null;
      end $$;
      create trigger overdue_event_notifications after insert on overdue_event
        for each statement execute function notification_enqueue_fanout();
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      drop trigger overdue_event_notifications on overdue_event;
      drop function notification_enqueue_fanout();
      drop table notification_cursor;
      drop table notification;
      drop table notification_settings;
    `);
  }
}
