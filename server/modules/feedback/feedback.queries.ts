/**
 * The feedback summary, aggregated in SQL: totals of the window and of the window of the
 * same length before it, item counts by category / severity / status (grouping sets),
 * recurring problems and proposals by status. Nothing here groups by person.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { type LocalDate } from '../../core/local-date';
import { previousWindow } from './feedback.periods';
import { FeedbackCategory, FeedbackPeriod, FeedbackSeverity, FeedbackStatus, ProposalStatus } from './feedback.enums';
import { FeedbackSummary, FeedbackTotals } from './feedback.types';

const SEVERITY_ORDER = `array['LOW','MEDIUM','HIGH','CRITICAL']`;

/**
 * "Similar text": the same words after lower-casing and turning punctuation and runs of
 * white space into single spaces. Deliberately simple and explainable; a project lead
 * groups looser matches by hand into proposals.
 */
const NORMALISED_TEXT = `btrim(regexp_replace(lower(i.text), '[[:punct:][:space:]]+', ' ', 'g'))`;

interface TotalsRow {
  is_current: boolean;
  reports: number;
  anonymous_reports: number;
  hours: string;
}

interface ItemCountRow {
  is_current: boolean;
  category: FeedbackCategory | null;
  severity: FeedbackSeverity | null;
  status: FeedbackStatus | null;
  kind: string | null;
  n: number;
}

export async function feedbackSummary(em: EntityManager, from: LocalDate, to: LocalDate, period: FeedbackPeriod | undefined): Promise<FeedbackSummary> {
  const { previousFrom, previousTo } = previousWindow(from, to);
  const periodClause = period ? 'and r.period = ?' : '';
  const periodParams = period ? [period] : [];
  const window = [previousFrom, to, ...periodParams];

  const totals: TotalsRow[] = await em.execute(
    `select r.period_start >= ?::date as is_current, count(*)::int as reports,
            (count(*) filter (where r.anonymous))::int as anonymous_reports,
            coalesce(sum(r.hours_saved), 0)::text as hours
       from feedback_report r
      where r.period_start between ?::date and ?::date ${periodClause}
      group by 1`,
    [from, ...window],
  );

  const itemCounts: ItemCountRow[] = await em.execute(
    `select is_current, category, severity, status, kind, count(*)::int as n
       from (select r.period_start >= ?::date as is_current, i.category, i.severity, i.status, i.kind
               from feedback_item i join feedback_report r on r.id = i.report_id
              where r.period_start between ?::date and ?::date ${periodClause}) x
      group by grouping sets ((is_current, category), (is_current, severity), (is_current, status), (is_current, kind))`,
    [from, ...window],
  );

  const recurring: {
    category: FeedbackCategory;
    text: string;
    occurrences: number;
    reports: number;
    highest: FeedbackSeverity;
    item_ids: string;
  }[] = await em.execute(
    `select i.category, min(i.text) as text, count(*)::int as occurrences, count(distinct i.report_id)::int as reports,
            (${SEVERITY_ORDER})[max(array_position(${SEVERITY_ORDER}, i.severity))] as highest,
            string_agg(i.id::text, ',' order by i.id) as item_ids
       from feedback_item i join feedback_report r on r.id = i.report_id
      where r.period_start between ?::date and ?::date ${periodClause} and i.kind = 'PROBLEM'
      group by i.category, ${NORMALISED_TEXT}
     having count(distinct i.report_id) >= 2
      order by occurrences desc, i.category, min(i.text)`,
    [from, to, ...periodParams],
  );

  const proposals: { status: ProposalStatus; n: number }[] = await em.execute(
    `select p.status, count(*)::int as n
       from improvement_proposal p
      where exists (select 1 from feedback_item i join feedback_report r on r.id = i.report_id
                     where i.proposal_id = p.id and r.period_start between ?::date and ?::date ${periodClause})
      group by p.status`,
    [from, to, ...periodParams],
  );

  const count = (current: boolean, pick: (row: ItemCountRow) => string | null, value: string) =>
    itemCounts.find((r) => r.is_current === current && pick(r) === value)?.n ?? 0;
  const totalsOf = (current: boolean, windowFrom: LocalDate, windowTo: LocalDate): FeedbackTotals => {
    const row = totals.find((t) => t.is_current === current);
    const problemCount = count(current, (r) => r.kind, 'PROBLEM');
    const suggestionCount = count(current, (r) => r.kind, 'SUGGESTION');
    return Object.assign(new FeedbackTotals(), {
      from: windowFrom,
      to: windowTo,
      reportCount: row?.reports ?? 0,
      anonymousReportCount: row?.anonymous_reports ?? 0,
      itemCount: problemCount + suggestionCount,
      problemCount,
      suggestionCount,
      hoursSaved: Number(row?.hours ?? 0),
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
    recurringProblems: recurring.map((r) => ({
      category: r.category,
      text: r.text,
      occurrences: r.occurrences,
      reportCount: r.reports,
      highestSeverity: r.highest,
      itemIds: r.item_ids.split(','),
    })),
    proposalsByStatus: Object.values(ProposalStatus).map((status) => ({ status, count: proposals.find((p) => p.status === status)?.n ?? 0 })),
  });
}
