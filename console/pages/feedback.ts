/**
 * Feedback: the weekly or monthly report form for SALES and FINANCE, with what
 * "anonymous" means said in plain words before sending; the summary and the proposal
 * board for project leads and managers. What a role sees is what the API answers it.
 */
import type { FeedbackCategory, FeedbackItemInput, FeedbackSeverity, ProposalStatus } from '@huikuan/sdk';
import { h, replace, table } from '../dom';
import { businessDate } from '../calendar';
import { addDays, formatDate, formatNumber, mondayOf } from '../format';
import { locale, t, word } from '../i18n';
import { client, currentUser, errorText } from '../session';
import { badge, empty, section } from './common';

const CATEGORIES: FeedbackCategory[] = ['SYSTEM', 'DATA', 'PROCESS', 'USABILITY', 'TRAINING', 'OTHER'];
const SEVERITIES: FeedbackSeverity[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
const BOARD: ProposalStatus[] = ['DRAFT', 'ESCALATED', 'ADOPTED', 'DEFERRED', 'REJECTED'];

function options(values: string[]): HTMLOptionElement[] {
  return values.map((v) => h('option', { value: v }, word(v)));
}

function itemRow(): HTMLElement {
  return h(
    'fieldset',
    { class: 'item-row' },
    h('legend', {}, t('items')),
    h(
      'label',
      {},
      t('problem'),
      ' / ',
      t('suggestion'),
      h('select', { name: 'kind' }, h('option', { value: 'PROBLEM' }, t('problem')), h('option', { value: 'SUGGESTION' }, t('suggestion'))),
    ),
    h('label', {}, t('category'), h('select', { name: 'category' }, ...options(CATEGORIES))),
    h('label', {}, t('severity'), h('select', { name: 'severity' }, ...options(SEVERITIES))),
    h('label', { class: 'wide' }, t('text'), h('textarea', { name: 'text', rows: 2, maxlength: 2000 })),
  );
}

function submitForm(): HTMLElement {
  const period = h('select', { id: 'fb-period', name: 'period' }, h('option', { value: 'WEEK' }, t('weekly')), h('option', { value: 'MONTH' }, t('monthly')));
  const thisWeek = mondayOf(businessDate());
  const start = h('input', { id: 'fb-start', type: 'date', value: thisWeek, max: businessDate(), required: true });
  period.addEventListener('change', () => (start.value = period.value === 'WEEK' ? thisWeek : `${businessDate().slice(0, 8)}01`));
  const hours = h('input', { id: 'fb-hours', type: 'number', min: 0, max: 744, step: '0.25', value: '0', required: true });
  const solved = h('textarea', { id: 'fb-solved', rows: 3 });
  const items = h('div', { class: 'items' }, itemRow());
  const anonymous = h('input', { id: 'fb-anonymous', type: 'checkbox' });
  const explanation = h('p', { id: 'fb-anonymous-explained', class: 'explain' }, t('namedExplained'));
  anonymous.addEventListener('change', () => (explanation.textContent = anonymous.checked ? t('anonymousExplained') : t('namedExplained')));
  const result = h('div', { role: 'status', id: 'fb-result' });
  const form: HTMLFormElement = h(
    'form',
    {
      class: 'card feedback-form',
      id: 'feedback-form',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const itemInputs: FeedbackItemInput[] = [...items.querySelectorAll('.item-row')].flatMap((row) => {
          const value = (name: string) => (row.querySelector(`[name=${name}]`) as HTMLInputElement).value;
          return value('text').trim()
            ? [
                {
                  kind: value('kind') as 'PROBLEM',
                  category: value('category') as FeedbackCategory,
                  severity: value('severity') as FeedbackSeverity,
                  text: value('text').trim(),
                },
              ]
            : [];
        });
        try {
          const { submitFeedbackReport } = await client.submitFeedbackReport({
            input: {
              period: period.value as 'WEEK',
              periodStart: start.value,
              hoursSaved: Number(hours.value),
              anonymous: anonymous.checked,
              solvedProblems: solved.value
                .split('\n')
                .map((s) => s.trim())
                .filter(Boolean),
              items: itemInputs,
            },
          });
          replace(
            result,
            h('p', { class: 'ok' }, t('submitted')),
            submitFeedbackReport.amendSecret ? h('p', {}, t('receipt'), ' ', h('code', { id: 'fb-receipt' }, submitFeedbackReport.amendSecret)) : null,
          );
        } catch (err) {
          replace(result, h('p', { class: 'error', role: 'alert' }, errorText(err)));
        }
      },
    },
    h('div', { class: 'row' }, h('label', {}, t('period'), period), h('label', {}, t('periodStart'), start), h('label', {}, t('hoursSaved'), hours)),
    h('label', { class: 'wide' }, t('solvedProblems'), solved),
    items,
    h('button', { type: 'button', onclick: () => items.append(itemRow()) }, `+ ${t('addItem')}`),
    h('div', { class: 'anonymous' }, h('label', { class: 'check' }, anonymous, ' ', t('anonymous')), explanation),
    h('button', { type: 'submit', class: 'primary' }, t('submitReport')),
    result,
  );
  return section('feedback-submit', t('submitReport'), form);
}

async function reviewBoard(): Promise<HTMLElement[]> {
  const to = businessDate();
  const from = addDays(mondayOf(to), -7 * 7);
  const [{ feedbackSummary }, { improvementProposals }] = await Promise.all([client.feedbackSummary({ from, to }), client.improvementProposals({})]);
  const totals = feedbackSummary.totals;
  const summary = section(
    'feedback-summary',
    `${t('summary')} · ${formatDate(from, locale())} – ${formatDate(to, locale())}`,
    table(
      t('summary'),
      [
        { label: t('reports'), numeric: true, cell: () => formatNumber(totals.reportCount, locale()) },
        { label: t('anonymousReports'), numeric: true, cell: () => formatNumber(totals.anonymousReportCount, locale()) },
        { label: t('problems'), numeric: true, cell: () => formatNumber(totals.problemCount, locale()) },
        { label: t('suggestions'), numeric: true, cell: () => formatNumber(totals.suggestionCount, locale()) },
        { label: t('hoursSaved'), numeric: true, cell: () => formatNumber(totals.hoursSaved, locale(), 2) },
      ],
      [totals],
      { id: 'feedback-totals', class: 'data' },
    ),
    feedbackSummary.byCategory.length
      ? table(
          t('byCategory'),
          [
            { label: t('category'), cell: (c) => word(c.category) },
            { label: t('count'), numeric: true, cell: (c) => formatNumber(c.count, locale()) },
          ],
          feedbackSummary.byCategory,
          { class: 'data compact' },
        )
      : null,
    feedbackSummary.recurringProblems.length
      ? table(
          t('recurring'),
          [
            { label: t('category'), cell: (p) => word(p.category) },
            { label: t('text'), cell: (p) => p.text },
            { label: t('occurrences'), numeric: true, cell: (p) => formatNumber(p.occurrences, locale()) },
            { label: t('severity'), cell: (p) => badge(p.highestSeverity, word(p.highestSeverity)) },
          ],
          feedbackSummary.recurringProblems,
          { class: 'data compact' },
        )
      : null,
  );
  const board = section(
    'proposals',
    t('proposals'),
    improvementProposals.length
      ? h(
          'div',
          { class: 'board', id: 'proposal-board' },
          ...BOARD.map((status) =>
            h(
              'div',
              { class: 'board-column', 'data-status': status },
              h('h3', {}, word(status)),
              ...improvementProposals
                .filter((p) => p.status === status)
                .map((p) =>
                  h(
                    'article',
                    { class: 'proposal' },
                    h('h4', {}, p.title),
                    h('p', {}, p.description),
                    h('p', { class: 'muted' }, `${t('itemCount')}: ${p.itemCount}`, p.decision ? ` · ${t('decision')}: ${word(p.decision)}` : ''),
                    p.rationale ? h('p', { class: 'muted' }, p.rationale) : null,
                  ),
                ),
            ),
          ),
        )
      : empty(t('noProposals')),
  );
  return [summary, board];
}

export async function renderFeedback(root: HTMLElement): Promise<void> {
  const role = currentUser()?.role;
  const submits = role === 'SALES' || role === 'FINANCE' || role === 'ADMIN';
  const reviews = role === 'PROJECT_LEAD' || role === 'MANAGER' || role === 'ADMIN';
  const parts: HTMLElement[] = [];
  if (submits) parts.push(submitForm());
  if (reviews) {
    try {
      parts.push(...(await reviewBoard()));
    } catch (e) {
      parts.push(h('p', { class: 'error' }, errorText(e)));
    }
  }
  replace(root, h('h1', {}, t('feedback')), ...parts);
}
