/**
 * The salesperson's morning, phone first (usable at 375 px): today's worklist by
 * priority; a customer's open items and contact history; quick actions (log a call,
 * record a promise, open a dispute) through logCollectionActivity, each form with its
 * own idempotency key so a double tap or a retry after a dropped connection stores once.
 */
import type { WorklistItemFieldsFragment } from './types';
import { h, replace, table } from '../dom';
import { businessDate } from '../calendar';
import { formatDate, formatDateTime } from '../format';
import { locale, t, word, type MessageKey } from '../i18n';
import { client, errorText } from '../session';
import { badge, empty, money, section } from './common';

/** crypto.randomUUID needs a secure context; a console opened over plain http on a LAN address has none. */
function idempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function' && window.isSecureContext) return `console-${crypto.randomUUID()}`;
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `console-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function itemCard(item: WorklistItemFieldsFragment): HTMLElement {
  return h(
    'li',
    { class: 'work-item', 'data-customer-id': item.customerId },
    h(
      'a',
      { href: `#/worklist/${item.customerId}`, class: 'work-link' },
      h('span', { class: 'priority', title: t('priority'), 'aria-label': `${t('priority')} ${item.priority}` }, String(item.priority)),
      h(
        'span',
        { class: 'work-main' },
        h('span', { class: 'work-name' }, `${item.customerName}`),
        h(
          'span',
          { class: 'work-meta' },
          item.customerCode,
          item.highestStage ? ` · ${t('stage')} ${item.highestStage}` : '',
          item.daysOverdue ? ` · ${t('daysOverdueN', { n: item.daysOverdue })}` : '',
          item.promise ? ` · ${t('promise')} ${formatDate(item.promise.promisedOn, locale())}` : '',
          item.openDisputes ? ` · ${t('disputed')} ${item.openDisputes}` : '',
          ` · ${t('lastContact')} ${formatDate(item.lastContactOn, locale())}`,
        ),
      ),
      h('span', { class: 'work-amount num' }, h('span', { class: 'kpi-label' }, t('overdue')), money(item.overdueAmount)),
    ),
  );
}

async function listView(root: HTMLElement): Promise<void> {
  const { collectionWorklist } = await client.collectionWorklist({ first: 50 });
  const items = collectionWorklist.edges.map((e) => e.node);
  replace(
    root,
    h('h1', {}, `${t('worklistOf')} · ${formatDate(businessDate(), locale())}`),
    h('p', { class: 'muted', id: 'worklist-count' }, t('customersToChase', { n: collectionWorklist.totalCount })),
    items.length ? h('ol', { class: 'worklist', id: 'worklist' }, ...items.map(itemCard)) : empty(t('emptyWorklist')),
  );
}

type Receivable = { id: string; reference: string; outstanding: string; effectiveDueOn: string; daysOverdue?: number | null; overdueStage?: number | null };

function field(label: string, control: HTMLElement): HTMLElement {
  const id = control.id || `f-${Math.random().toString(36).slice(2)}`;
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), control);
}

function select(name: string, values: string[], labels: (v: string) => string = word): HTMLSelectElement {
  return h('select', { name }, ...values.map((v) => h('option', { value: v }, labels(v))));
}

function actionForm(kind: 'call' | 'promise' | 'dispute', customerId: string, open: Receivable[], done: (message: string) => void): HTMLElement {
  // One key per form shown: pressing Save twice, or again after a timeout, stores one activity.
  const key = idempotencyKey();
  const status = h('p', { class: 'error', role: 'alert' });
  const note = h('textarea', { name: 'note', rows: 2, maxlength: 2000 });
  const controls: HTMLElement[] = [];
  let build: () => Parameters<typeof client.logCollectionActivity>[0]['input'];
  const base = { customerId, kind: 'CALL' as const, occurredAt: new Date().toISOString(), idempotencyKey: key };
  if (kind === 'call') {
    const outcome = select('outcome', ['REACHED', 'NO_ANSWER', 'REFUSED', 'CLAIMS_PAID']);
    controls.push(field(t('outcome'), outcome), field(t('note'), note));
    build = () => ({ ...base, outcome: outcome.value as 'REACHED', note: note.value || undefined, receivableIds: open.map((r) => r.id).slice(0, 50) });
  } else if (kind === 'promise') {
    const amount = h('input', { name: 'amount', inputmode: 'decimal', pattern: '\\d+(\\.\\d{1,2})?', required: true, placeholder: '0.00' });
    const on = h('input', { name: 'promisedOn', type: 'date', required: true, min: businessDate() });
    controls.push(field(t('amount'), amount), field(t('promisedOn'), on), field(t('note'), note));
    build = () => ({
      ...base,
      outcome: 'PROMISED',
      note: note.value || undefined,
      receivableIds: open.map((r) => r.id).slice(0, 50),
      promise: { amount: normaliseMoney(amount.value), promisedOn: on.value },
    });
  } else {
    const receivable = select(
      'receivable',
      open.map((r) => r.id),
      (id) => open.find((r) => r.id === id)?.reference ?? id,
    );
    const amount = h('input', { name: 'amount', inputmode: 'decimal', pattern: '\\d+(\\.\\d{1,2})?', required: true, placeholder: '0.00' });
    const category = select('category', ['PRICE', 'QUANTITY', 'QUALITY', 'DELIVERY', 'NOT_ORDERED', 'OTHER']);
    const reason = h('textarea', { name: 'reason', rows: 2, required: true, maxlength: 2000 });
    controls.push(field(t('receivable'), receivable), field(t('amount'), amount), field(t('category'), category), field(t('reason'), reason));
    build = () => ({
      ...base,
      outcome: 'DISPUTED',
      receivableIds: [receivable.value],
      dispute: { receivableId: receivable.value, amount: normaliseMoney(amount.value), category: category.value, reason: reason.value },
    });
  }
  const title: MessageKey = kind === 'call' ? 'logCall' : kind === 'promise' ? 'recordPromise' : 'openDispute';
  const form: HTMLFormElement = h(
    'form',
    {
      class: 'action-form card',
      'data-action': kind,
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const save = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
        save.disabled = true;
        status.textContent = '';
        try {
          await client.logCollectionActivity({ input: build() });
          done(t('saved'));
        } catch (err) {
          status.textContent = errorText(err);
          save.disabled = false;
        }
      },
    },
    h('h3', {}, t(title)),
    ...controls,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, t('save')),
      h('button', { type: 'button', onclick: () => form.remove() }, t('cancel')),
    ),
    status,
  );
  return form;
}

/** What a person types ("1200", "1200.5", "1,200.50") as the API's Money string; the API checks the rest. */
function normaliseMoney(typed: string): string {
  const plain = typed.trim().replace(/[,\s]/g, '');
  const match = /^(\d+)(?:\.(\d{0,2}))?$/.exec(plain);
  return match ? `${match[1]}.${(match[2] ?? '').padEnd(2, '0')}` : plain;
}

async function customerView(root: HTMLElement, customerId: string, message?: string): Promise<void> {
  const [{ customer }, { receivables }, { activities }] = await Promise.all([
    client.customer({ id: customerId, receivablesFirst: 0 }),
    client.receivables({ first: 50, filter: { customerId, status: ['OPEN', 'PARTIALLY_PAID'] } }),
    client.activities({ customerId, first: 20 }),
  ]);
  if (!customer) {
    replace(root, empty());
    return;
  }
  const open = receivables.edges.map((e) => e.node).sort((a, b) => a.effectiveDueOn.localeCompare(b.effectiveDueOn));
  const formSlot = h('div', { id: 'action-slot' });
  const show = (kind: 'call' | 'promise' | 'dispute') =>
    replace(
      formSlot,
      actionForm(kind, customerId, open, (text) => void customerView(root, customerId, text)),
    );
  replace(
    root,
    h('p', {}, h('a', { href: '#/worklist', class: 'back' }, `← ${t('back')}`)),
    h('h1', { id: 'customer-name' }, `${customer.code} ${customer.name}`),
    h(
      'div',
      { class: 'kpis' },
      h('div', { class: 'kpi' }, h('span', { class: 'kpi-label' }, t('outstanding')), h('span', { class: 'kpi-value' }, money(customer.outstanding))),
      h('div', { class: 'kpi' }, h('span', { class: 'kpi-label' }, t('overdueAmount')), h('span', { class: 'kpi-value' }, money(customer.overdueAmount))),
    ),
    message ? h('p', { class: 'ok', role: 'status', id: 'saved' }, message) : null,
    h(
      'div',
      { class: 'quick-actions' },
      h('button', { type: 'button', class: 'primary', id: 'log-call', onclick: () => show('call') }, t('logCall')),
      h('button', { type: 'button', id: 'record-promise', onclick: () => show('promise'), disabled: !open.length }, t('recordPromise')),
      h('button', { type: 'button', id: 'open-dispute', onclick: () => show('dispute'), disabled: !open.length }, t('openDispute')),
    ),
    formSlot,
    section(
      'open-items',
      t('openItems'),
      open.length
        ? table(
            t('openItems'),
            [
              { label: t('reference'), cell: (r) => r.reference },
              {
                label: t('dueOn'),
                cell: (r) =>
                  h(
                    'span',
                    { class: 'due' },
                    formatDate(r.effectiveDueOn, locale()),
                    r.daysOverdue ? h('span', { class: 'overdue-days' }, t('daysOverdueN', { n: r.daysOverdue })) : null,
                  ),
              },
              { label: t('outstanding'), numeric: true, cell: (r) => money(r.outstanding) },
            ],
            open,
            { id: 'open-items-table', class: 'data compact' },
          )
        : empty(),
    ),
    section(
      'history',
      t('history'),
      activities.nodes.length
        ? h(
            'ul',
            { class: 'history', id: 'history-list' },
            ...activities.nodes.map((a) =>
              h(
                'li',
                { 'data-activity-id': a.id },
                h('span', { class: 'history-when' }, formatDateTime(a.occurredAt, locale())),
                ' ',
                badge(a.outcome, `${word(a.kind)} · ${word(a.outcome)}`),
                a.promise ? h('span', {}, ' ', money(a.promise.amount), ` → ${formatDate(a.promise.promisedOn, locale())}`) : null,
                a.note ? h('span', { class: 'history-note' }, a.note) : null,
                h('span', { class: 'muted' }, ` — ${a.recordedBy.name}`),
              ),
            ),
          )
        : empty(t('noHistory')),
    ),
  );
}

export async function renderWorklist(root: HTMLElement, args: string[]): Promise<void> {
  if (args[0]) await customerView(root, decodeURIComponent(args[0]));
  else await listView(root);
}
