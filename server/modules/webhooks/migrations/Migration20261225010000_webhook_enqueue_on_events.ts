import { Migration } from '@mikro-orm/migrations';

/**
 * Delivery jobs are enqueued only by a statement that inserted events. A statement-level
 * trigger fires also when its statement inserted no row: every judgement that found nothing
 * to tell (a scheduled scan, every minute) enqueued a job per enabled endpoint, and the
 * worker ran them for nothing. The trigger now reads its statement's rows (a transition
 * table) and enqueues nothing without one.
 */
export class Migration20261225010000_webhook_enqueue_on_events extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      create or replace function webhook_enqueue_deliveries() returns trigger language plpgsql as $$
      begin
        if exists (select 1 from inserted_events) then
          perform graphile_worker.add_job('webhook_deliver', json_build_object('endpointId', ep.id),
                                          job_key => 'webhook:' || ep.id, job_key_mode => 'preserve_run_at')
             from webhook_endpoint ep
            where ep.enabled;
        end if;
        return null;
      end $$;
      drop trigger overdue_event_webhooks on overdue_event;
      create trigger overdue_event_webhooks after insert on overdue_event
        referencing new table as inserted_events
        for each statement execute function webhook_enqueue_deliveries();
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      drop trigger overdue_event_webhooks on overdue_event;
      create or replace function webhook_enqueue_deliveries() returns trigger language plpgsql as $$
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
}
