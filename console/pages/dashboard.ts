/**
 * The manager's Monday page: aging per salesperson as of a chosen date, the trend of the
 * last 12 stored weekly analyses, this period's goals, the scorecard ranking, the top
 * overdue customers and the clerks whose bookings lag behind the money's arrival.
 * Each chart has a table of the same numbers beside it.
 */
import type { AgingReportFields_bySalesperson, GoalFieldsFragment, ScorecardsQuery, WeeklyAnalysisFieldsFragment } from './types';
import { h, replace, table, type Column } from '../dom';
import { businessDate } from '../calendar';
import { addDays, formatDate, formatNumber, mondayOf, moneyCents, moneyForChart, formatMoney, formatRate } from '../format';
import { locale, t, word } from '../i18n';
import { HuikuanError } from '@huikuan/sdk';
import { client, currentUser, errorText } from '../session';
import { stackedBars, trendLines } from '../charts';
import { badge, chartWithTable, empty, money, rate, section } from './common';

const BUCKETS = ['current', 'd1to30', 'd31to60', 'd61to90', 'over90'] as const;

async function agingSection(asOf: string): Promise<HTMLElement> {
  const { agingReport } = await client.agingReport({ asOf });
  const rows = [...agingReport.bySalesperson].sort((a, b) =>
    moneyCents(b.total) - moneyCents(b.current) > moneyCents(a.total) - moneyCents(a.current) ? 1 : -1,
  );
  const chart = h('div', { class: 'chart', id: 'aging-chart' });
  const columns: Column<AgingReportFields_bySalesperson | typeof agingReport>[] = [
    { label: t('salesperson'), cell: (r) => ('salesperson' in r ? r.salesperson.name : h('strong', {}, t('company'))) },
    ...BUCKETS.map((b) => ({ label: t(b), numeric: true, cell: (r: AgingReportFields_bySalesperson | typeof agingReport) => money(r[b]) })),
    { label: t('total'), numeric: true, cell: (r) => money(r.total) },
    { label: t('disputed'), numeric: true, cell: (r) => money(r.disputed) },
  ];
  const tbl = table(t('agingTable'), columns, [...rows, agingReport], { id: 'aging-table', class: 'data' });
  const view = section('aging', `${t('aging')} · ${t('asOf')} ${formatDate(asOf, locale())}`, rows.length ? chartWithTable(chart, tbl) : empty());
  if (rows.length) {
    stackedBars(
      chart,
      t('aging'),
      rows.map((r) => r.salesperson.name),
      BUCKETS.map((b) => ({ name: t(b), values: rows.map((r) => moneyForChart(r[b])), labels: rows.map((r) => formatMoney(r[b], locale())) })),
    );
  }
  return view;
}

function trendSection(analyses: WeeklyAnalysisFieldsFragment[], canPublish: boolean, onPublished: () => void): HTMLElement {
  const weeks = [...analyses].sort((a, b) => a.weekStart.localeCompare(b.weekStart));
  const publish = canPublish && weeks.length < 12 ? publishButton(onPublished) : null;
  if (!weeks.length) return section('trend', t('trend'), empty(t('noAnalyses')), publish);
  const chart = h('div', { class: 'chart', id: 'trend-chart' });
  const tbl = table(
    t('trendTable'),
    [
      { label: t('week'), cell: (w) => formatDate(w.weekStart, locale()) },
      { label: t('collectionRate'), numeric: true, cell: (w) => rate(w.collections.collectionRate) },
      { label: t('onTimeRate'), numeric: true, cell: (w) => rate(w.collections.onTimeRate) },
      { label: t('cei'), numeric: true, cell: (w) => rate(w.collections.cei) },
      { label: t('overdueAmount'), numeric: true, cell: (w) => money(w.overdueAmount) },
    ],
    weeks,
    { id: 'trend-table', class: 'data' },
  );
  {
    const categories = weeks.map((w) => formatDate(w.weekStart, locale(), 'short'));
    const ratio = (pick: (w: WeeklyAnalysisFieldsFragment) => number | null | undefined) => ({
      values: weeks.map((w) => pick(w) ?? null),
      labels: weeks.map((w) => formatRate(pick(w), locale())),
    });
    trendLines(
      chart,
      t('trend'),
      categories,
      [
        { name: t('collectionRate'), ...ratio((w) => w.collections.collectionRate) },
        { name: t('onTimeRate'), ...ratio((w) => w.collections.onTimeRate) },
        { name: t('cei'), ...ratio((w) => w.collections.cei) },
        {
          name: t('overdueAmount'),
          axis: 1,
          values: weeks.map((w) => moneyForChart(w.overdueAmount)),
          labels: weeks.map((w) => formatMoney(w.overdueAmount, locale())),
        },
      ],
      ['%', t('overdueAmount')],
    );
  }
  return section('trend', t('trend'), chartWithTable(chart, tbl), publish);
}

/** A manager may store the weeks that are missing (the schedule stores one each Monday). */
function publishButton(onPublished: () => void): HTMLElement {
  const status = h('span', { class: 'muted', role: 'status' });
  const button = h(
    'button',
    {
      type: 'button',
      id: 'publish-weeks',
      onclick: async () => {
        button.disabled = true;
        try {
          // The last finished week first, back to twelve weeks ago; stored weeks come back unchanged.
          const lastWeek = addDays(mondayOf(businessDate()), -7);
          for (let i = 11; i >= 0; i--) await client.publishWeeklyAnalysis({ weekOf: addDays(lastWeek, -7 * i) });
          onPublished();
        } catch (e) {
          status.textContent = errorText(e);
          button.disabled = false;
        }
      },
    },
    t('publishMissing'),
  );
  return h('p', {}, button, ' ', status);
}

function target(goal: Pick<GoalFieldsFragment, 'metric' | 'target'>, value: string | null | undefined): HTMLElement | string {
  if (value === null || value === undefined) return '—';
  if (goal.metric === 'OVERDUE_AMOUNT') return money(value);
  if (goal.metric === 'DSO') return h('span', { 'data-value': value }, formatNumber(Number(value), locale(), 1));
  // Ratios in [0,1] as decimal strings: shown as percentages (a display, not an amount).
  return h('span', { 'data-value': value }, formatRate(Number(value), locale()));
}

function goalsSection(goals: GoalFieldsFragment[]): HTMLElement {
  if (!goals.length) return section('goals', t('goals'), empty(t('noGoals')));
  type Row = { goal: GoalFieldsFragment; who: string; actual: string | null | undefined; attainment: number | null | undefined; status: string };
  const rows: Row[] = goals.flatMap((goal) =>
    goal.scope === 'EVERY_SALESPERSON' && goal.progress.length
      ? goal.progress.map((p) => ({ goal, who: p.salesperson?.name ?? t('company'), actual: p.actual, attainment: p.attainment, status: p.status }))
      : [{ goal, who: goal.salesperson?.name ?? t('company'), actual: goal.actual, attainment: goal.attainment, status: goal.status }],
  );
  return section(
    'goals',
    t('goals'),
    table(
      t('goals'),
      [
        { label: t('metric'), cell: (r) => word(r.goal.metric) },
        { label: t('scope'), cell: (r) => r.who },
        { label: t('period'), cell: (r) => `${formatDate(r.goal.periodStart, locale())} – ${formatDate(r.goal.periodEnd, locale())}` },
        { label: t('target'), numeric: true, cell: (r) => target(r.goal, r.goal.target) },
        { label: t('actual'), numeric: true, cell: (r) => target(r.goal, r.actual) },
        { label: t('attainment'), numeric: true, cell: (r) => rate(r.attainment) },
        { label: t('status'), cell: (r) => badge(r.status, word(r.status)) },
      ],
      rows,
      { id: 'goals-table', class: 'data' },
    ),
  );
}

function scorecardSection(cards: ScorecardsQuery['scorecards']): HTMLElement {
  if (!cards.length) return section('scorecards', t('scorecards'), empty());
  return section(
    'scorecards',
    t('scorecards'),
    table(
      t('scorecards'),
      [
        { label: t('rank'), numeric: true, cell: (c) => String(c.rank) },
        { label: t('salesperson'), cell: (c) => c.salesperson.name },
        { label: t('score'), numeric: true, cell: (c) => (c.score === null || c.score === undefined ? '—' : formatNumber(c.score, locale(), 1)) },
        { label: t('collectionRate'), numeric: true, cell: (c) => rate(c.stats.collectionRate) },
        { label: t('onTimeRate'), numeric: true, cell: (c) => rate(c.stats.onTimeRate) },
        { label: t('overdueAmount'), numeric: true, cell: (c) => money(c.stats.overdueAmount) },
        { label: t('cei'), numeric: true, cell: (c) => rate(c.stats.cei) },
      ],
      [...cards].sort((a, b) => a.rank - b.rank),
      { id: 'scorecard-table', class: 'data' },
    ),
  );
}

function topOverdueSection(latest: WeeklyAnalysisFieldsFragment | undefined): HTMLElement {
  if (!latest) return section('top-overdue', t('topOverdue'), empty(t('noAnalyses')));
  return section(
    'top-overdue',
    t('topOverdue'),
    h('p', { class: 'muted' }, `${t('fromWeek')} ${formatDate(latest.weekStart, locale())}`),
    latest.topOverdueCustomers.length
      ? table(
          t('topOverdue'),
          [
            { label: t('customer'), cell: (c) => `${c.code} ${c.name}` },
            { label: t('overdueAmount'), numeric: true, cell: (c) => money(c.overdueAmount) },
            { label: t('receivablesCount'), numeric: true, cell: (c) => String(c.overdueCount) },
            { label: t('maxDaysOverdue'), numeric: true, cell: (c) => String(c.maxDaysOverdue) },
          ],
          latest.topOverdueCustomers,
          { id: 'top-overdue-table', class: 'data' },
        )
      : empty(),
  );
}

function bookingLagSection(analyses: WeeklyAnalysisFieldsFragment[]): HTMLElement {
  // Summed over the weeks shown: late bookings are rare in any one week, a pattern over twelve.
  const byClerk = new Map<string, { name: string; payments: number; late: number; overLimit: number; maxLag: number | null }>();
  for (const week of analyses) {
    for (const c of week.bookingLag.byClerk) {
      const row = byClerk.get(c.clerk.id) ?? { name: c.clerk.name, payments: 0, late: 0, overLimit: 0, maxLag: null };
      row.payments += c.payments;
      row.late += c.latePayments;
      row.overLimit += c.overLimit;
      if (c.maxLagDays !== null && c.maxLagDays !== undefined) row.maxLag = Math.max(row.maxLag ?? 0, c.maxLagDays);
      byClerk.set(c.clerk.id, row);
    }
  }
  const rows = [...byClerk.values()].sort((a, b) => b.overLimit - a.overLimit || b.late - a.late);
  const title = `${t('bookingLag')} · ${t('lastNWeeks', { n: analyses.length })}`;
  if (!rows.length) return section('booking-lag', title, empty(analyses.length ? t('noData') : t('noAnalyses')));
  return section(
    'booking-lag',
    title,
    table(
      t('bookingLag'),
      [
        { label: t('clerk'), cell: (r) => r.name },
        { label: t('payments'), numeric: true, cell: (r) => formatNumber(r.payments, locale()) },
        { label: t('latePayments'), numeric: true, cell: (r) => formatNumber(r.late, locale()) },
        { label: t('overLimit'), numeric: true, cell: (r) => h('span', { class: r.overLimit > 0 ? 'warn' : null }, formatNumber(r.overLimit, locale())) },
        { label: t('maxLag'), numeric: true, cell: (r) => formatNumber(r.maxLag, locale()) },
      ],
      rows,
      { id: 'booking-lag-table', class: 'data' },
    ),
  );
}

/** The figures a manager reads first: last week's rates and overdue money, and who ranks last this month. */
function headline(latest: WeeklyAnalysisFieldsFragment | undefined, cards: ScorecardsQuery['scorecards']): HTMLElement {
  const last = [...cards].sort((a, b) => b.rank - a.rank)[0];
  const figure = (label: string, value: HTMLElement | string) =>
    h('div', { class: 'kpi' }, h('span', { class: 'kpi-label' }, label), h('span', { class: 'kpi-value' }, value));
  return h(
    'div',
    { class: 'kpis', id: 'kpis' },
    latest ? h('p', { class: 'muted kpi-note' }, `${t('weeklyFigures')} ${formatDate(latest.weekStart, locale())}`) : null,
    latest ? figure(t('collectionRate'), rate(latest.collections.collectionRate)) : null,
    latest ? figure(t('onTimeRate'), rate(latest.collections.onTimeRate)) : null,
    latest ? figure(t('overdueAmount'), money(latest.overdueAmount)) : null,
    last && cards.length > 1 ? figure(t('behind'), `${last.salesperson.name} (${formatRate(last.stats.collectionRate, locale())})`) : null,
  );
}

export async function renderDashboard(root: HTMLElement): Promise<void> {
  const today = businessDate();
  const dateInput = h('input', { type: 'date', id: 'as-of', value: today, max: today, 'aria-label': t('asOf') });
  const agingSlot = h('div', { id: 'aging-slot' });
  const loadAging = async () => {
    try {
      replace(agingSlot, await agingSection(dateInput.value || today));
    } catch (e) {
      if (e instanceof HuikuanError && e.code === 'FORBIDDEN') agingSlot.remove();
      else replace(agingSlot, section('aging', t('aging'), h('p', { class: 'error' }, errorText(e))));
    }
  };
  dateInput.addEventListener('change', () => void loadAging());

  const monthStart = `${today.slice(0, 8)}01`;
  // Each part asks the API on its own: what the role may not read (FINANCE has no scorecards) is left out, not an error page.
  const [analyses, goals, cards] = await Promise.all([
    readable(client.weeklyAnalyses({ last: 12 }).then((r) => r.weeklyAnalyses)),
    readable(client.goals({ activeOn: today }).then((r) => r.goals)),
    readable(client.scorecards({ from: monthStart, to: today }).then((r) => r.scorecards)),
    loadAging(),
  ]);
  const weeks = analyses.ok ? analyses.value : [];
  const latest = [...weeks].sort((a, b) => b.weekStart.localeCompare(a.weekStart))[0];
  const role = currentUser()?.role;
  const part = <T>(answer: Readable<T>, id: string, title: string, view: (value: T) => HTMLElement): HTMLElement | null =>
    answer.ok ? view(answer.value) : answer.forbidden ? null : section(id, title, h('p', { class: 'error', role: 'alert' }, answer.error));
  replace(
    root,
    h('div', { class: 'page-head' }, h('h1', {}, t('headline')), h('label', { class: 'inline' }, `${t('asOf')} `, dateInput)),
    headline(latest, cards.ok ? cards.value : []),
    h(
      'div',
      { class: 'grid' },
      agingSlot,
      part(analyses, 'trend', t('trend'), (value) => trendSection(value, role === 'MANAGER' || role === 'ADMIN', () => void renderDashboard(root))),
      part(goals, 'goals', t('goals'), goalsSection),
      part(cards, 'scorecards', t('scorecards'), scorecardSection),
      part(analyses, 'top-overdue', t('topOverdue'), () => topOverdueSection(latest)),
      part(analyses, 'booking-lag', t('bookingLag'), bookingLagSection),
    ),
  );
}

type Readable<T> = { ok: true; value: T } | { ok: false; forbidden: boolean; error: string };

/** An answer, or why there is none: FORBIDDEN (the role may not read it) is told apart from a failure. */
async function readable<T>(answer: Promise<T>): Promise<Readable<T>> {
  try {
    return { ok: true, value: await answer };
  } catch (e) {
    return { ok: false, forbidden: e instanceof HuikuanError && e.code === 'FORBIDDEN', error: errorText(e) };
  }
}
