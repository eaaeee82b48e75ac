import { Migration } from '@mikro-orm/migrations';

/**
 * Credit status (issue 10): what an order system asks before it ships.
 *
 * - `customer_credit`: per customer, the last evaluation — the effective status (what
 *   `Customer.creditStatus` answers and the last CREDIT_STATUS_CHANGED event said), the
 *   status the rules derived, the figures they were applied to and the rules that fired.
 *   A customer without a row has never been evaluated: OK.
 * - `credit_override`: manual statuses set by a manager, in force from when they are set
 *   until the day before `until`; ended early (cleared, replaced) or by expiry. At most
 *   one is open per customer. Never deleted.
 * - `credit_status_change`: the history — every change of the effective status and every
 *   override set, cleared or expired, with who, when, from, to, reason and until. Its id
 *   is derived from a sequence (as the event stream's), so ids sort in the order written.
 * - `credit_engine`: the date of the last evaluation and the rules it applied; a scan
 *   after a change of the rules (or the first one) evaluates every customer.
 *
 * Lock order: `customer_credit` and `credit_status_change` are written inside the overdue
 * engine's judgements, which hold the event stream's lock; a foreign key to `customer`
 * would make each write lock the customer's row, which a booking holds while it waits for
 * that very lock (its triggers), and the two would deadlock. So, like `overdue_event`, they
 * name the customer without a foreign key (customers are never deleted). An override is
 * inserted by a transaction that locks the customer's row before the stream's lock.
 */
export class Migration20261212000000_credit extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      create table credit_override (
        id uuid primary key,
        customer_id uuid not null references customer (id),
        status text not null check (status in ('OK','WARN','HOLD')),
        reason text not null check (length(reason) between 1 and 1000),
        until date not null,
        set_by_id uuid not null references app_user (id),
        set_at timestamptz not null default now(),
        set_on date not null,
        ended_at timestamptz,
        ended_on date,
        end_kind text check (end_kind in ('CLEARED','REPLACED','EXPIRED')),
        ended_by_id uuid references app_user (id),
        constraint credit_override_ended check ((ended_at is null) = (end_kind is null) and (ended_at is null) = (ended_on is null)),
        constraint credit_override_until check (until > set_on)
      );
      create unique index credit_override_open_idx on credit_override (customer_id) where ended_at is null;
      create index credit_override_until_idx on credit_override (until) where ended_at is null;

      create table customer_credit (
        customer_id uuid primary key,
        status text not null check (status in ('OK','WARN','HOLD')),
        derived_status text not null check (derived_status in ('OK','WARN','HOLD')),
        override_id uuid references credit_override (id),
        as_of date not null,
        highest_stage integer,
        overdue_amount numeric(16,2) not null,
        credit_limit numeric(16,2) not null,
        broken_promises integer not null,
        reasons text[] not null,
        evaluated_at timestamptz not null,
        changed_at timestamptz not null
      );

      create sequence credit_status_change_seq;
      create table credit_status_change (
        id uuid primary key,
        customer_id uuid not null,
        kind text not null check (kind in ('RULES','OVERRIDE_SET','OVERRIDE_CLEARED','OVERRIDE_EXPIRED')),
        from_status text not null check (from_status in ('OK','WARN','HOLD')),
        to_status text not null check (to_status in ('OK','WARN','HOLD')),
        reason text,
        until date,
        actor_id uuid references app_user (id),
        as_of date not null,
        occurred_at timestamptz not null default now()
      );
      create index credit_status_change_customer_idx on credit_status_change (customer_id, id);

      create table credit_engine (
        singleton boolean primary key default true check (singleton),
        evaluated_on date not null,
        rules text not null
      );
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      drop table credit_engine;
      drop table credit_status_change;
      drop sequence credit_status_change_seq;
      drop table customer_credit;
      drop table credit_override;
    `);
  }
}
