import { Migration } from '@mikro-orm/migrations';

/** The ledger: users, API tokens, customers, receivables, payments, allocations, notices, calendar. */
export class Migration20261129000000_ledger extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      -- Foreign keys are checked at commit: the ORM inserts rows of one unit of work in any order.
      create table app_setting (
        key text primary key,
        value text not null
      );

      create table app_user (
        id uuid primary key,
        email text not null unique,
        name text not null,
        role text not null check (role in ('SALES','FINANCE','PROJECT_LEAD','MANAGER','ADMIN','INTEGRATION')),
        password_hash text,
        active boolean not null default true,
        created_at timestamptz not null default now()
      );
      create index app_user_role_idx on app_user (role);

      create table api_token (
        id uuid primary key,
        name text not null,
        user_id uuid not null references app_user (id) deferrable initially deferred,
        token_hash text not null unique,
        created_by_id uuid not null references app_user (id) deferrable initially deferred,
        created_at timestamptz not null default now(),
        revoked_at timestamptz,
        last_used_at timestamptz
      );

      create table customer (
        id uuid primary key,
        code text not null unique,
        name text not null,
        owner_id uuid not null references app_user (id) deferrable initially deferred,
        credit_term_days integer not null check (credit_term_days between 0 and 3650),
        credit_limit numeric(16,2) not null check (credit_limit >= 0),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );
      create index customer_owner_idx on customer (owner_id, code);
      create index customer_name_idx on customer (lower(name));

      create table receivable (
        id uuid primary key,
        customer_id uuid not null references customer (id) deferrable initially deferred,
        salesperson_id uuid not null references app_user (id) deferrable initially deferred,
        reference text not null,
        amount numeric(16,2) not null check (amount > 0),
        issued_on date not null,
        due_on date not null,
        effective_due_on date not null,
        outstanding numeric(16,2) not null,
        written_off_amount numeric(16,2) not null default 0 check (written_off_amount >= 0),
        written_off_at timestamptz,
        write_off_reason text,
        written_off_by_id uuid references app_user (id) deferrable initially deferred,
        created_at timestamptz not null default now(),
        constraint receivable_reference_per_customer unique (customer_id, reference),
        constraint receivable_due_after_issue check (due_on >= issued_on),
        constraint receivable_outstanding_in_range check (outstanding >= 0 and outstanding <= amount)
      );
      create index receivable_customer_due_idx on receivable (customer_id, due_on, id);
      create index receivable_salesperson_due_idx on receivable (salesperson_id, due_on, id);
      create index receivable_due_idx on receivable (due_on, id);
      create index receivable_open_effective_due_idx on receivable (effective_due_on) where outstanding > 0;

      create table payment (
        id uuid primary key,
        customer_id uuid not null references customer (id) deferrable initially deferred,
        amount numeric(16,2) not null check (amount > 0),
        unallocated numeric(16,2) not null,
        received_on date not null,
        booked_at timestamptz not null default now(),
        booked_by_id uuid not null references app_user (id) deferrable initially deferred,
        booking_lag_days integer not null check (booking_lag_days >= 0),
        lag_reason text,
        method text not null check (method in ('BANK_TRANSFER','CASH','CHECK','CARD','MOBILE','OTHER')),
        reference text,
        idempotency_key text unique,
        voided_at timestamptz,
        void_reason text,
        voided_by_id uuid references app_user (id) deferrable initially deferred,
        constraint payment_unallocated_in_range check (unallocated >= 0 and unallocated <= amount)
      );
      create index payment_customer_received_idx on payment (customer_id, received_on desc, id desc);
      create index payment_received_idx on payment (received_on desc, id desc);

      create table payment_allocation (
        id uuid primary key,
        payment_id uuid not null references payment (id) deferrable initially deferred,
        receivable_id uuid not null references receivable (id) deferrable initially deferred,
        amount numeric(16,2) not null check (amount > 0),
        constraint payment_allocation_once unique (payment_id, receivable_id)
      );
      create index payment_allocation_receivable_idx on payment_allocation (receivable_id);

      create table payment_notice (
        id uuid primary key,
        receivable_id uuid not null references receivable (id) deferrable initially deferred,
        reported_by_id uuid not null references app_user (id) deferrable initially deferred,
        claimed_paid_on date not null,
        note text not null,
        status text not null default 'OPEN' check (status in ('OPEN','CONFIRMED','EXPIRED','WITHDRAWN')),
        created_at timestamptz not null default now()
      );
      create index payment_notice_receivable_idx on payment_notice (receivable_id, created_at);

      create table calendar_day (
        day date primary key,
        kind text not null check (kind in ('HOLIDAY','WORKDAY')),
        name text,
        updated_at timestamptz not null default now()
      );
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      drop table calendar_day, payment_notice, payment_allocation, payment, receivable,
        customer, api_token, app_user, app_setting;
    `);
  }
}
