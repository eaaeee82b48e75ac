import { Migration } from '@mikro-orm/migrations';

/**
 * Signed webhooks (issue 11), delivered from the one event table, `overdue_event`.
 *
 * - `webhook_endpoint`: an integrator's URL, which events it wants (types and the
 *   stream's filter), its signing secret (and the one before, valid until
 *   `previous_secret_until` while integrators switch), whether it is enabled, and its
 *   cursor: the last event seq it has been given delivery rows for. New endpoints start
 *   at the newest event; a replay moves the cursor back.
 * - `webhook_delivery`: one (event, endpoint) to send, with its state (PENDING, not
 *   tried yet; FAILED, tried and waiting for `next_attempt_at`; DELIVERED; DEAD, given up
 *   after the retry window) and every attempt (status code, duration, error) in
 *   `attempt_log`. At most one open (PENDING or FAILED) row per event and endpoint. Its
 *   `created_at` keeps milliseconds only, so a log cursor (an ISO instant) names it
 *   exactly. It names the event by seq without a foreign key (events are never deleted,
 *   and a key lock on the event would serve nothing).
 * - A statement-level trigger on `overdue_event` enqueues, in the transaction that writes
 *   events, one keyed job (`webhook:<endpoint id>`) per enabled endpoint: a scan of
 *   100,000 events is one job per endpoint. With `preserve_run_at`, a job already waiting
 *   for a retry's time keeps it. Only with an enabled endpoint does it call
 *   graphile-worker (whose schema the server installs at start, before it accepts
 *   requests). It keeps no transition table (which every insert would fill, endpoints or
 *   not): which events an endpoint wants is the drain's question.
 */
export class Migration20261220000000_webhooks extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      create table webhook_endpoint (
        id uuid primary key default gen_random_uuid(),
        url text not null,
        description text,
        event_types text[],
        filter_customer_id uuid,
        filter_salesperson_id uuid,
        filter_min_stage integer,
        filter_types text[],
        secret text not null,
        previous_secret text,
        previous_secret_until timestamptz,
        enabled boolean not null default true,
        disabled_reason text,
        disabled_at timestamptz,
        consecutive_dead integer not null default 0,
        cursor_seq bigint not null,
        created_by uuid not null references app_user (id),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );
      create table webhook_delivery (
        id uuid primary key default gen_random_uuid(),
        endpoint_id uuid not null references webhook_endpoint (id),
        event_seq bigint not null,
        status text not null default 'PENDING' check (status in ('PENDING', 'FAILED', 'DELIVERED', 'DEAD')),
        attempts integer not null default 0,
        attempt_log jsonb not null default '[]',
        next_attempt_at timestamptz not null default now(),
        first_attempt_at timestamptz,
        delivered_at timestamptz,
        redelivery_of uuid references webhook_delivery (id),
        created_at timestamptz not null default date_trunc('milliseconds', clock_timestamp())
      );
      create unique index webhook_delivery_open on webhook_delivery (endpoint_id, event_seq) where status in ('PENDING', 'FAILED');
      create index webhook_delivery_log on webhook_delivery (endpoint_id, created_at, id);

      create function webhook_enqueue_deliveries() returns trigger language plpgsql as $$
      begin
        perform graphile_worker.add_job('webhook_deliver', json_build_object('endpointId', ep.id),
                                        job_key => 'webhook:' || ep.id, job_key_mode => 'preserve_run_at')
           from webhook_endpoint ep
          where ep.enabled;
        return null;
      end $$;
      create trigger overdue_event_webhooks after insert on overdue_event
        for each statement execute function webhook_enqueue_deliveries();
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      drop trigger overdue_event_webhooks on overdue_event;
      drop function webhook_enqueue_deliveries();
      drop table webhook_delivery;
      drop table webhook_endpoint;
    `);
  }
}
