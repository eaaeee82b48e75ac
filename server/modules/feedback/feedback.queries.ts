/**
 * The feedback area's SQL. Writes of reports, items and compliance rows (and the period
 * rewrite that keeps their system columns from pairing a person with a report), the
 * item workflow and proposals, compliance and reminders, the report list, and the
 * feedback summary, aggregated in SQL: totals of the window and of the window of the
 * same length before it, item counts by category / severity / status (grouping sets),
 * recurring problems and proposals by status. Nothing here groups by person.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { assertDateRange, type LocalDate } from '../../core/local-date';
import { Page } from '../../core/pagination';
import { keysetPage } from '../../db/keyset';
import { defineQuery, defineStatement, type NoParams, Where } from '../../db/sql';
import { previousWindow } from './feedback.periods';
import { FeedbackItemKind, FeedbackCategory, FeedbackPeriod, FeedbackSeverity, FeedbackStatus, ProposalDecision, ProposalStatus } from './feedback.enums';
import { FeedbackReport } from './feedback-report.entity';
import { FeedbackFilter, FeedbackSummary, FeedbackTotals } from './feedback.types';

/** A period of one kind: every report, compliance row and author row belongs to one. */
interface PeriodKey {
  period: FeedbackPeriod;
  periodStart: LocalDate;
}

// ── Submission ──────────────────────────────────────────────────────────────────

/** The report an amendSecret opens (by its hash), in this period. */
export const REPORT_BY_SECRET = defineQuery<PeriodKey & { secretHash: string }, string>({
  text: 'select id from feedback_report where amend_secret_hash = :secretHash and period = :period and period_start = :periodStart',
  decode: (row) => row.text('id'),
});

/** The user's named report of the period (anonymous reports have no author row). */
export const NAMED_REPORT_OF_USER = defineQuery<PeriodKey & { userId: string }, string>({
  text: 'select report_id from feedback_report_author where user_id = :userId and period = :period and period_start = :periodStart',
  decode: (row) => row.text('report_id'),
});

/** Whether the user has submitted for the period, named or anonymously. */
export const HAS_SUBMITTED = defineQuery<PeriodKey & { userId: string }, boolean>({
  text: 'select count(*)::int as n from feedback_compliance where user_id = :userId and period = :period and period_start = :periodStart',
  decode: (row) => row.int('n') > 0,
});

/** Whether triage or a proposal has touched an item of the report. */
export const REPORT_IN_REVIEW = defineQuery<{ reportId: string }, boolean>({
  text: `select count(*)::int as n from feedback_item where report_id = :reportId and (status <> 'SUBMITTED' or proposal_id is not null)`,
  decode: (row) => row.int('n') > 0,
});

export const AMEND_REPORT = defineStatement<{ reportId: string; solvedProblems: string; hoursSaved: string; today: LocalDate }>({
  text: `update feedback_report set solved_problems = cast(:solvedProblems as jsonb), hours_saved = :hoursSaved,
             amended_on = case when anonymous then null else cast(:today as date) end where id = :reportId`,
});

export const DELETE_ITEMS_OF_REPORT = defineStatement<{ reportId: string }>({
  text: 'delete from feedback_item where report_id = :reportId',
});

export const INSERT_REPORT = defineStatement<
  PeriodKey & { id: string; anonymous: boolean; solvedProblems: string; hoursSaved: string; submittedOn: LocalDate | null; secretHash: string | null }
>({
  text: `insert into feedback_report (id, period, period_start, anonymous, solved_problems, hours_saved, submitted_on, amended_on, amend_secret_hash)
       values (:id, :period, :periodStart, :anonymous, cast(:solvedProblems as jsonb), :hoursSaved, :submittedOn, null, :secretHash)`,
});

export const INSERT_AUTHOR = defineStatement<PeriodKey & { reportId: string; userId: string }>({
  text: 'insert into feedback_report_author (report_id, user_id, period, period_start) values (:reportId, :userId, :period, :periodStart)',
});

export const INSERT_COMPLIANCE = defineStatement<PeriodKey & { userId: string }>({
  text: 'insert into feedback_compliance (user_id, period, period_start) values (:userId, :period, :periodStart)',
});

export const INSERT_ITEM = defineStatement<{
  id: string;
  reportId: string;
  anonymous: boolean;
  position: number;
  kind: string;
  category: string;
  severity: string;
  text: string;
  customerId: string | null;
  receivableId: string | null;
}>({
  text: `insert into feedback_item (id, report_id, report_anonymous, position, kind, category, severity, text, customer_id, receivable_id, status)
         values (:id, :reportId, :anonymous, :position, :kind, :category, :severity, :text, :customerId, :receivableId, 'SUBMITTED')`,
});

/**
 * Rewriting a period: each table in one statement, in an order unrelated to submission
 * (random ids for reports and items, user ids for compliance). See feedback.service.ts.
 */
export const REWRITE_PERIOD_REPORTS = defineStatement<PeriodKey>({
  text: `with moved as (delete from feedback_report where period = :period and period_start = :periodStart returning *)
       insert into feedback_report select * from moved order by id`,
});

export const REWRITE_PERIOD_ITEMS = defineStatement<PeriodKey>({
  text: `with moved as (
         delete from feedback_item i using feedback_report r
          where r.id = i.report_id and r.period = :period and r.period_start = :periodStart returning i.*)
       insert into feedback_item select * from moved order by id`,
});

export const REWRITE_PERIOD_COMPLIANCE = defineStatement<PeriodKey>({
  text: `with moved as (delete from feedback_compliance where period = :period and period_start = :periodStart returning *)
       insert into feedback_compliance select * from moved order by user_id`,
});

/** Named authorship is no secret, but its rows get the period's one transaction id too, like every other row. */
export const REWRITE_PERIOD_AUTHORS = defineStatement<PeriodKey>({
  text: `with moved as (delete from feedback_report_author where period = :period and period_start = :periodStart returning *)
       insert into feedback_report_author select * from moved order by report_id`,
});

// ── Removing dead row versions (feedback.vacuum.ts) ─────────────────────────────

/**
 * The tables a submission writes. Their dead row versions keep the xmin of the
 * transaction that wrote them until VACUUM removes them; INDEX_CLEANUP ON removes the
 * dead index entries and line pointers too (PostgreSQL may otherwise skip index cleanup
 * for a few dead rows, leaving line pointers whose positions follow submission order).
 * VACUUM cannot run in a transaction: run it on a pooled connection in autocommit.
 */
export const VACUUM_SUBMISSION_TABLES = defineStatement<NoParams>({
  text: 'vacuum (index_cleanup on) feedback_report, feedback_item, feedback_compliance, feedback_report_author',
});

/**
 * Dead row versions the statistics still count in those tables after a VACUUM: versions
 * an older, still open transaction may see, which VACUUM had to keep. A hint for trying
 * again (the counts arrive asynchronously and may be stale, which costs one more VACUUM).
 */
export const DEAD_TUPLES_OF_SUBMISSION_TABLES = defineQuery<NoParams, number>({
  text: `select coalesce(sum(n_dead_tup), 0)::int as n from pg_stat_user_tables
          where schemaname = current_schema()
            and relname in ('feedback_report', 'feedback_item', 'feedback_compliance', 'feedback_report_author')`,
  decode: (row) => row.int('n'),
});

// ── Compliance and reminders ────────────────────────────────────────────────────

/** Every active user of these roles: submitted for the period or not, and when last reminded. */
export const COMPLIANCE = defineQuery<PeriodKey & { roles: readonly string[] }, { userId: string; submitted: boolean; lastRemindedAt: Date | null }>({
  text: `select u.id as user_id, c.user_id is not null as submitted,
              (select (extract(epoch from max(m.created_at)) * 1000)::bigint from feedback_reminder m
                where m.user_id = u.id and m.period = :period and m.period_start = :periodStart) as reminded_ms
         from app_user u
         left join feedback_compliance c on c.user_id = u.id and c.period = :period and c.period_start = :periodStart
        where u.active and u.role = any(cast(:roles as text[]))
        order by u.name, u.id`,
  decode: (row) => ({ userId: row.text('user_id'), submitted: row.bool('submitted'), lastRemindedAt: row.epochMsOrNull('reminded_ms') }),
});

/**
 * A reminder for every active user of these roles who has not submitted for the period
 * and has no undelivered reminder for it yet.
 */
export const INSERT_REMINDERS = defineQuery<
  PeriodKey & { roles: readonly string[]; now: Date; createdById: string },
  { id: string; userId: string; period: FeedbackPeriod; periodStart: LocalDate; createdAt: Date }
>({
  text: `insert into feedback_reminder (id, user_id, period, period_start, created_at, created_by_id)
           select gen_random_uuid(), u.id, :period, cast(:periodStart as date), :now, :createdById
             from app_user u
            where u.active and u.role = any(cast(:roles as text[]))
              and not exists (select 1 from feedback_compliance c where c.user_id = u.id and c.period = :period and c.period_start = :periodStart)
              and not exists (select 1 from feedback_reminder m where m.user_id = u.id and m.period = :period and m.period_start = :periodStart and m.delivered_at is null)
           returning id, user_id, period, period_start, (extract(epoch from created_at) * 1000)::bigint as created_ms`,
  decode: (row) => ({
    id: row.text('id'),
    userId: row.text('user_id'),
    period: row.oneOf('period', FeedbackPeriod),
    periodStart: row.date('period_start'),
    createdAt: row.epochMs('created_ms'),
  }),
});

// ── The report list ─────────────────────────────────────────────────────────────

export interface FeedbackListArgs {
  /** Only the named reports of this author (a front-line user's own); undefined: all. */
  authorId: string | undefined;
  filter: FeedbackFilter | undefined;
  first: number;
  after: string | undefined;
}

/** Newest period first, then the random id: nothing orders reports by when they were written. No author filter exists. */
export function feedbackReportPage(em: EntityManager, args: FeedbackListArgs): Promise<Page<FeedbackReport>> {
  const { filter } = args;
  const where = new Where();
  if (args.authorId) {
    where.add('exists (select 1 from feedback_report_author a where a.report_id = r.id and a.user_id = :authorId)', { authorId: args.authorId });
  }
  if (filter?.period) where.add('r.period = :period', { period: filter.period });
  if (filter?.periodStart) where.add('r.period_start = cast(:periodStart as date)', { periodStart: filter.periodStart });
  if (filter?.from && filter.to) assertDateRange(filter.from, filter.to, { fromField: 'filter.from', toField: 'filter.to' });
  if (filter?.from) where.add('r.period_start >= cast(:from as date)', { from: filter.from });
  if (filter?.to) where.add('r.period_start <= cast(:to as date)', { to: filter.to });
  if (filter?.anonymous !== undefined && filter.anonymous !== null) where.add('r.anonymous = :anonymous', { anonymous: filter.anonymous });
  const itemWhere = new Where().add('i.report_id = r.id');
  if (filter?.category?.length) itemWhere.add('i.category = any(cast(:categories as text[]))', { categories: filter.category });
  if (filter?.status?.length) itemWhere.add('i.status = any(cast(:statuses as text[]))', { statuses: filter.status });
  if (filter?.severity?.length) itemWhere.add('i.severity = any(cast(:severities as text[]))', { severities: filter.severity });
  if (itemWhere.clauses.length > 1) where.add('exists (select 1 from feedback_item i where :items)', { items: itemWhere });
  return keysetPage(em, {
    entity: FeedbackReport,
    from: 'from feedback_report r',
    alias: 'r',
    where,
    keys: [
      { column: 'r.period_start', cast: 'date', value: (r) => r.periodStart },
      { column: 'r.id', cast: 'uuid', value: (r) => r.id },
    ],
    descending: true,
    first: args.first,
    after: args.after,
    count: true,
  });
}

/** The authors of named reports; anonymous reports have no row. */
export const AUTHORS_OF_REPORTS = defineQuery<{ ids: readonly string[] }, { reportId: string; userId: string }>({
  text: 'select report_id, user_id from feedback_report_author where report_id = any(cast(:ids as uuid[]))',
  decode: (row) => ({ reportId: row.text('report_id'), userId: row.text('user_id') }),
});

// ── Workflow ────────────────────────────────────────────────────────────────────

export const ITEM_FOR_UPDATE = defineQuery<{ id: string }, { status: FeedbackStatus; proposalId: string | null }>({
  text: 'select status, proposal_id from feedback_item where id = :id for update',
  decode: (row) => ({ status: row.oneOf('status', FeedbackStatus), proposalId: row.textOrNull('proposal_id') }),
});

/** The items, locked in id order (so concurrent groupings cannot deadlock). */
export const ITEMS_FOR_UPDATE = defineQuery<{ ids: readonly string[] }, { id: string; status: FeedbackStatus; proposalId: string | null }>({
  text: 'select id, status, proposal_id from feedback_item where id = any(cast(:ids as uuid[])) order by id for update',
  decode: (row) => ({ id: row.text('id'), status: row.oneOf('status', FeedbackStatus), proposalId: row.textOrNull('proposal_id') }),
});

/** The proposal's items in these states, locked in id order. */
export const PROPOSAL_ITEMS_FOR_UPDATE = defineQuery<{ proposalId: string; statuses: readonly FeedbackStatus[] }, string>({
  text: 'select id from feedback_item where proposal_id = :proposalId and status = any(cast(:statuses as text[])) order by id for update',
  decode: (row) => row.text('id'),
});

/** Moves items to `to` and records one step per item. */
export const MOVE_ITEMS = defineStatement<{ ids: readonly string[]; to: FeedbackStatus; actorId: string; note: string | null; now: Date }>({
  text: `with moved as (
         update feedback_item i set status = :to from feedback_item old
          where old.id = i.id and i.id = any(cast(:ids as uuid[])) returning i.id, old.status as from_status)
       insert into feedback_item_step (id, item_id, from_status, to_status, actor_id, note, occurred_at)
       select gen_random_uuid(), id, from_status, :to, :actorId, :note, :now from moved`,
});

export const INSERT_PROPOSAL = defineStatement<{ id: string; title: string; description: string; createdById: string; now: Date }>({
  text: `insert into improvement_proposal (id, title, description, status, created_by_id, created_at) values (:id, :title, :description, 'DRAFT', :createdById, :now)`,
});

export const ASSIGN_ITEMS_TO_PROPOSAL = defineStatement<{ proposalId: string; ids: readonly string[] }>({
  text: 'update feedback_item set proposal_id = :proposalId where id = any(cast(:ids as uuid[]))',
});

export const PROPOSAL_STATUS_FOR_UPDATE = defineQuery<{ id: string }, ProposalStatus>({
  text: 'select status from improvement_proposal where id = :id for update',
  decode: (row) => row.oneOf('status', ProposalStatus),
});

/** Escalating clears an earlier decision (a DEFERRED proposal comes back). */
export const ESCALATE_PROPOSAL = defineStatement<{ id: string; escalatedById: string; now: Date; note: string | null }>({
  text: `update improvement_proposal set status = 'ESCALATED', escalated_by_id = :escalatedById, escalated_at = :now, escalation_note = :note,
           decision = null, rationale = null, decided_by_id = null, decided_at = null where id = :id`,
});

export const DECIDE_PROPOSAL = defineStatement<{
  id: string;
  status: ProposalStatus;
  decision: ProposalDecision;
  rationale: string;
  decidedById: string;
  now: Date;
}>({
  text: 'update improvement_proposal set status = :status, decision = :decision, rationale = :rationale, decided_by_id = :decidedById, decided_at = :now where id = :id',
});

// ── The summary ─────────────────────────────────────────────────────────────────

const SEVERITY_ORDER = `array['LOW','MEDIUM','HIGH','CRITICAL']`;

/**
 * "Similar text": the same words after lower-casing and turning punctuation and runs of
 * white space into single spaces. Deliberately simple and explainable; a project lead
 * groups looser matches by hand into proposals.
 */
const NORMALISED_TEXT = `btrim(regexp_replace(lower(i.text), '[[:punct:][:space:]]+', ' ', 'g'))`;

/** Reports from `windowFrom` to `to`, split at `from` into the previous and the current window. */
interface SplitWindow {
  from: LocalDate;
  windowFrom: LocalDate;
  to: LocalDate;
  /** Only reports of one period kind, or `true`. */
  period: Where;
}

interface Window {
  from: LocalDate;
  to: LocalDate;
  period: Where;
}

const TOTALS = defineQuery<SplitWindow, { isCurrent: boolean; reports: number; anonymousReports: number; hours: number }>({
  text: `select r.period_start >= cast(:from as date) as is_current, count(*)::int as reports,
            (count(*) filter (where r.anonymous))::int as anonymous_reports,
            coalesce(sum(r.hours_saved), 0)::text as hours
       from feedback_report r
      where r.period_start between cast(:windowFrom as date) and cast(:to as date) and :period
      group by 1`,
  decode: (row) => ({
    isCurrent: row.bool('is_current'),
    reports: row.int('reports'),
    anonymousReports: row.int('anonymous_reports'),
    hours: row.number('hours'),
  }),
});

interface ItemCountRow {
  isCurrent: boolean;
  category: FeedbackCategory | null;
  severity: FeedbackSeverity | null;
  status: FeedbackStatus | null;
  kind: FeedbackItemKind | null;
  n: number;
}

const ITEM_COUNTS = defineQuery<SplitWindow, ItemCountRow>({
  text: `select is_current, category, severity, status, kind, count(*)::int as n
       from (select r.period_start >= cast(:from as date) as is_current, i.category, i.severity, i.status, i.kind
               from feedback_item i join feedback_report r on r.id = i.report_id
              where r.period_start between cast(:windowFrom as date) and cast(:to as date) and :period) x
      group by grouping sets ((is_current, category), (is_current, severity), (is_current, status), (is_current, kind))`,
  decode: (row) => ({
    isCurrent: row.bool('is_current'),
    category: row.oneOfOrNull('category', FeedbackCategory),
    severity: row.oneOfOrNull('severity', FeedbackSeverity),
    status: row.oneOfOrNull('status', FeedbackStatus),
    kind: row.oneOfOrNull('kind', FeedbackItemKind),
    n: row.int('n'),
  }),
});

const RECURRING_PROBLEMS = defineQuery<
  Window,
  { category: FeedbackCategory; text: string; occurrences: number; reportCount: number; highestSeverity: FeedbackSeverity; itemIds: string[] }
>({
  text: `select i.category, min(i.text) as text, count(*)::int as occurrences, count(distinct i.report_id)::int as reports,
            (${SEVERITY_ORDER})[max(array_position(${SEVERITY_ORDER}, i.severity))] as highest,
            string_agg(i.id::text, ',' order by i.id) as item_ids
       from feedback_item i join feedback_report r on r.id = i.report_id
      where r.period_start between cast(:from as date) and cast(:to as date) and :period and i.kind = 'PROBLEM'
      group by i.category, ${NORMALISED_TEXT}
     having count(distinct i.report_id) >= 2
      order by occurrences desc, i.category, min(i.text)`,
  decode: (row) => ({
    category: row.oneOf('category', FeedbackCategory),
    text: row.text('text'),
    occurrences: row.int('occurrences'),
    reportCount: row.int('reports'),
    highestSeverity: row.oneOf('highest', FeedbackSeverity),
    itemIds: row.text('item_ids').split(','),
  }),
});

const PROPOSALS_BY_STATUS = defineQuery<Window, { status: ProposalStatus; n: number }>({
  text: `select p.status, count(*)::int as n
       from improvement_proposal p
      where exists (select 1 from feedback_item i join feedback_report r on r.id = i.report_id
                     where i.proposal_id = p.id and r.period_start between cast(:from as date) and cast(:to as date) and :period)
      group by p.status`,
  decode: (row) => ({ status: row.oneOf('status', ProposalStatus), n: row.int('n') }),
});

export async function feedbackSummary(em: EntityManager, from: LocalDate, to: LocalDate, period: FeedbackPeriod | undefined): Promise<FeedbackSummary> {
  const { previousFrom, previousTo } = previousWindow(from, to);
  const periodWhere = () => (period ? new Where().add('r.period = :period', { period }) : new Where());
  const split: SplitWindow = { from, windowFrom: previousFrom, to, period: periodWhere() };
  const window: Window = { from, to, period: periodWhere() };

  const totals = await TOTALS.all(em, split);
  const itemCounts = await ITEM_COUNTS.all(em, split);
  const recurring = await RECURRING_PROBLEMS.all(em, window);
  const proposals = await PROPOSALS_BY_STATUS.all(em, window);

  const count = (current: boolean, pick: (row: ItemCountRow) => string | null, value: string) =>
    itemCounts.find((r) => r.isCurrent === current && pick(r) === value)?.n ?? 0;
  const totalsOf = (current: boolean, windowFrom: LocalDate, windowTo: LocalDate): FeedbackTotals => {
    const row = totals.find((t) => t.isCurrent === current);
    const problemCount = count(current, (r) => r.kind, 'PROBLEM');
    const suggestionCount = count(current, (r) => r.kind, 'SUGGESTION');
    return Object.assign(new FeedbackTotals(), {
      from: windowFrom,
      to: windowTo,
      reportCount: row?.reports ?? 0,
      anonymousReportCount: row?.anonymousReports ?? 0,
      itemCount: problemCount + suggestionCount,
      problemCount,
      suggestionCount,
      hoursSaved: row?.hours ?? 0,
    });
  };
  const current = totalsOf(true, from, to);
  const previous = totalsOf(false, previousFrom, previousTo);

  return Object.assign(new FeedbackSummary(), {
    totals: current,
    previous,
    change: {
      reportCount: current.reportCount - previous.reportCount,
      itemCount: current.itemCount - previous.itemCount,
      problemCount: current.problemCount - previous.problemCount,
      hoursSaved: Math.round((current.hoursSaved - previous.hoursSaved) * 100) / 100,
    },
    byCategory: Object.values(FeedbackCategory).map((category) => {
      const now = count(true, (r) => r.category, category);
      const before = count(false, (r) => r.category, category);
      return { category, count: now, previousCount: before, change: now - before };
    }),
    bySeverity: Object.values(FeedbackSeverity).map((severity) => ({ severity, count: count(true, (r) => r.severity, severity) })),
    byStatus: Object.values(FeedbackStatus).map((status) => ({ status, count: count(true, (r) => r.status, status) })),
    recurringProblems: recurring,
    proposalsByStatus: Object.values(ProposalStatus).map((status) => ({ status, count: proposals.find((p) => p.status === status)?.n ?? 0 })),
  });
}
