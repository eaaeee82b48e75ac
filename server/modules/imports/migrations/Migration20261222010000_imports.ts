import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 12, bulk import.
 *
 * - `import_key`: which customer or receivable a row of a source system (`source`,
 *   `external_id`) became, so a file sent again updates instead of duplicating.
 * - `bank_line`: every imported bank-statement line, keyed the same way; `payment_id` is
 *   set once the line is booked as a payment (matched at import or applied later by
 *   FINANCE). An unapplied line is the suspense list.
 * - `customer_payer_account`: bank accounts known to pay for a customer (from the
 *   customer import, or learnt when FINANCE applies a line from that account).
 * - `import_run`, `import_row_error`: who imported what, when, how long it took, the
 *   counts and every refused row.
 */
export class Migration20261222010000_imports extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      create table import_key (
        kind text not null check (kind in ('CUSTOMER','RECEIVABLE')),
        source text not null,
        external_id text not null,
        target_id uuid not null,
        primary key (kind, source, external_id)
      );
      create unique index import_key_target_idx on import_key (kind, source, target_id);

      create table customer_payer_account (
        account text primary key,
        customer_id uuid not null references customer (id) deferrable initially deferred,
        created_at timestamptz not null default now()
      );
      create index customer_payer_account_customer_idx on customer_payer_account (customer_id);

      create table import_run (
        id uuid primary key,
        kind text not null check (kind in ('CUSTOMERS','RECEIVABLES','PAYMENTS')),
        source text not null,
        mode text not null check (mode in ('DRY_RUN','APPLY')),
        atomic boolean not null,
        committed boolean not null,
        run_by_id uuid not null references app_user (id) deferrable initially deferred,
        started_at timestamptz not null,
        duration_ms integer not null,
        total integer not null,
        created integer not null,
        updated integer not null,
        unchanged integer not null,
        failed integer not null
      );
      create index import_run_started_idx on import_run (started_at desc, id desc);

      create table import_row_error (
        run_id uuid not null references import_run (id) on delete cascade,
        line integer not null,
        external_id text,
        field text,
        reason text not null,
        message text not null
      );
      create index import_row_error_run_idx on import_row_error (run_id, line);

      create table bank_line (
        id uuid primary key,
        source text not null,
        external_id text not null,
        value_date date not null,
        amount numeric(16,2) not null check (amount > 0),
        payer_name text,
        payer_account text,
        reference text,
        payment_id uuid references payment (id) deferrable initially deferred,
        matched_by text check (matched_by in ('INVOICE_REFERENCE','CUSTOMER_CODE','PAYER_ACCOUNT','CUSTOMER_GIVEN','MANUAL')),
        import_run_id uuid not null,
        imported_at timestamptz not null default now(),
        applied_at timestamptz,
        applied_by_id uuid references app_user (id) deferrable initially deferred,
        constraint bank_line_external unique (source, external_id)
      );
      create index bank_line_unapplied_idx on bank_line (value_date, id) where payment_id is null;

      -- Bank lines name invoices and customers in free text, in any letter case.
      create index receivable_reference_upper_idx on receivable (upper(reference));
      create index customer_code_upper_idx on customer (upper(code));
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      drop index receivable_reference_upper_idx, customer_code_upper_idx;
      drop table bank_line, import_row_error, import_run, customer_payer_account, import_key;
    `);
  }
}
