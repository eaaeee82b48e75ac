import { Migration } from '@mikro-orm/migrations';

/**
 * Front-line feedback: reports, their items, the items' workflow steps, improvement
 * proposals, the compliance record and reminder events.
 *
 * Anonymity is a property of the schema, not of the code reading it:
 * - `feedback_report` and `feedback_item` have no column naming a person and no
 *   timestamp; ids are random UUIDs; an anonymous report stores no date at all.
 * - Authorship of named reports lives in `feedback_report_author`, whose foreign key
 *   (report_id, anonymous) with `check (not anonymous)` makes an author row for an
 *   anonymous report impossible.
 * - `feedback_compliance` ("this person submitted for this period") has no id, no date
 *   and no column shared with the report beyond the period itself.
 * - Anonymous items cannot link a customer or receivable (an owner would name the author).
 */
export class Migration20261129030000_feedback extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      create table improvement_proposal (
        id uuid primary key,
        title text not null,
        description text not null,
        status text not null check (status in ('DRAFT','ESCALATED','ADOPTED','REJECTED','DEFERRED')),
        created_by_id uuid not null references app_user (id) deferrable initially deferred,
        created_at timestamptz not null default now(),
        escalated_by_id uuid references app_user (id) deferrable initially deferred,
        escalated_at timestamptz,
        escalation_note text,
        decision text check (decision in ('ADOPT','REJECT','DEFER')),
        rationale text,
        decided_by_id uuid references app_user (id) deferrable initially deferred,
        decided_at timestamptz,
        constraint improvement_proposal_decided check ((decision is null) = (decided_at is null))
      );
      create index improvement_proposal_status_idx on improvement_proposal (status, created_at);

      create table feedback_report (
        id uuid primary key,
        period text not null check (period in ('WEEK','MONTH')),
        period_start date not null,
        anonymous boolean not null,
        solved_problems jsonb not null default '[]',
        hours_saved numeric(7,2) not null check (hours_saved >= 0),
        submitted_on date,
        amended_on date,
        amend_secret_hash text unique,
        constraint feedback_report_id_anonymous unique (id, anonymous),
        constraint feedback_report_secret_iff_anonymous check (anonymous = (amend_secret_hash is not null)),
        constraint feedback_report_no_date_when_anonymous check (
          case when anonymous then submitted_on is null and amended_on is null else submitted_on is not null end
        )
      );
      create index feedback_report_period_idx on feedback_report (period_start, id);

      create table feedback_report_author (
        report_id uuid primary key,
        anonymous boolean not null default false check (not anonymous),
        user_id uuid not null references app_user (id) deferrable initially deferred,
        period text not null,
        period_start date not null,
        constraint feedback_report_author_one_per_period unique (user_id, period, period_start),
        constraint feedback_report_author_named_only foreign key (report_id, anonymous)
          references feedback_report (id, anonymous) deferrable initially deferred
      );

      create table feedback_item (
        id uuid primary key,
        report_id uuid not null,
        report_anonymous boolean not null,
        position integer not null check (position >= 0),
        kind text not null check (kind in ('PROBLEM','SUGGESTION')),
        category text not null check (category in ('DATA','PROCESS','SYSTEM','TRAINING','USABILITY','OTHER')),
        severity text not null check (severity in ('LOW','MEDIUM','HIGH','CRITICAL')),
        text text not null,
        customer_id uuid references customer (id) deferrable initially deferred,
        receivable_id uuid references receivable (id) deferrable initially deferred,
        status text not null default 'SUBMITTED'
          check (status in ('SUBMITTED','IN_REVIEW','ESCALATED','DECIDED','RESOLVED','REJECTED')),
        proposal_id uuid references improvement_proposal (id) deferrable initially deferred,
        constraint feedback_item_report foreign key (report_id, report_anonymous)
          references feedback_report (id, anonymous) deferrable initially deferred,
        constraint feedback_item_position unique (report_id, position),
        constraint feedback_item_no_link_when_anonymous check (
          not report_anonymous or (customer_id is null and receivable_id is null)
        )
      );
      create index feedback_item_report_idx on feedback_item (report_id, position);
      create index feedback_item_proposal_idx on feedback_item (proposal_id) where proposal_id is not null;

      -- Workflow steps after submission: done by project leads and managers, never by authors.
      create table feedback_item_step (
        id uuid primary key,
        item_id uuid not null references feedback_item (id) deferrable initially deferred,
        from_status text not null,
        to_status text not null,
        actor_id uuid not null references app_user (id) deferrable initially deferred,
        note text,
        occurred_at timestamptz not null
      );
      create index feedback_item_step_item_idx on feedback_item_step (item_id, occurred_at);

      -- "This person submitted for this period": no id, no date, nothing shared with the report.
      create table feedback_compliance (
        user_id uuid not null references app_user (id) deferrable initially deferred,
        period text not null check (period in ('WEEK','MONTH')),
        period_start date not null,
        primary key (period, period_start, user_id)
      );

      -- Reminder events, written for users who had not submitted; a deliverer sends them later.
      create table feedback_reminder (
        id uuid primary key,
        user_id uuid not null references app_user (id) deferrable initially deferred,
        period text not null check (period in ('WEEK','MONTH')),
        period_start date not null,
        created_at timestamptz not null,
        created_by_id uuid not null references app_user (id) deferrable initially deferred,
        delivered_at timestamptz
      );
      create index feedback_reminder_undelivered_idx on feedback_reminder (created_at) where delivered_at is null;
      create index feedback_reminder_user_period_idx on feedback_reminder (period, period_start, user_id);
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      drop table feedback_reminder;
      drop table feedback_compliance;
      drop table feedback_item_step;
      drop table feedback_item;
      drop table feedback_report_author;
      drop table feedback_report;
      drop table improvement_proposal;
    `);
  }
}
