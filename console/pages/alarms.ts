/**
 * Live alarms: the overdue, promise, dispute and credit events through the SDK's
 * resumable subscription, newest first, filtered by salesperson and stage. The page
 * starts with the latest events of the stored stream, then subscribes after the newest
 * one; the SDK reconnects after a dropped connection or a server restart and resumes
 * after the last event it delivered, so nothing is lost and nothing shown twice.
 */
import type { OverdueEventFilter } from '@huikuan/sdk';
import type { OverdueEventPayload } from './types';
import { h, replace } from '../dom';
import { formatDateTime } from '../format';
import { locale, t, word } from '../i18n';
import { client, currentUser } from '../session';
import { badge, empty, money } from './common';

const SHOWN = 200;
const STAGES = [1, 30, 60, 90];
const filter: { salespersonId?: string; minStage?: number } = {};

function eventRow(event: OverdueEventPayload): HTMLElement {
  return h(
    'li',
    { class: `alarm alarm-${event.type.toLowerCase()}`, 'data-event-id': event.id, 'data-type': event.type },
    h('span', { class: 'alarm-when' }, formatDateTime(event.occurredAt, locale())),
    h('span', { class: 'alarm-type' }, badge(event.type, word(event.type))),
    h('span', { class: 'alarm-who' }, `${event.customer.code} ${event.customer.name}`, event.receivable ? ` · ${event.receivable.reference}` : ''),
    h(
      'span',
      { class: 'alarm-stage' },
      event.stage ? `${t('stage')} ${event.stage}` : event.state ? `${event.previousState ? `${word(event.previousState)} → ` : ''}${word(event.state)}` : '',
    ),
    h('span', { class: 'alarm-sp muted' }, event.salesperson?.name ?? ''),
    h('span', { class: 'alarm-amount num' }, event.outstanding ? money(event.outstanding) : event.amount ? money(event.amount) : ''),
  );
}

/** The newest events of the stored stream (it pages oldest first): walks to its end, keeps the last SHOWN. */
async function latestEvents(apiFilter: OverdueEventFilter): Promise<{ events: OverdueEventPayload[]; cursor: string | undefined }> {
  let after: string | undefined;
  let events: OverdueEventPayload[] = [];
  for (;;) {
    const { overdueEvents } = await client.overdueEvents({ first: 200, after, filter: apiFilter });
    events = events.concat(overdueEvents.edges.map((e) => e.node)).slice(-SHOWN);
    if (overdueEvents.pageInfo.endCursor) after = overdueEvents.pageInfo.endCursor;
    if (!overdueEvents.pageInfo.hasNextPage) return { events, cursor: after };
  }
}

export async function renderAlarms(root: HTMLElement): Promise<() => void> {
  const role = currentUser()?.role;
  const salespeople = role === 'SALES' ? [] : (await client.users({ role: 'SALES' })).users;
  const apiFilter: OverdueEventFilter = { salespersonId: filter.salespersonId, minStage: filter.minStage };
  const { events, cursor } = await latestEvents(apiFilter);

  const status = h('span', { class: 'live', id: 'live-status', role: 'status' }, t('connected'));
  const list = h('ol', { class: 'alarms', id: 'alarm-list', 'aria-live': 'polite', 'data-received': '0' });
  const seen = new Set<string>();
  const add = (event: OverdueEventPayload, live: boolean) => {
    // The SDK never repeats an event; this guard only keeps the page honest if it ever did.
    if (seen.has(event.id)) {
      list.dataset.duplicates = String(Number(list.dataset.duplicates ?? '0') + 1);
      return;
    }
    seen.add(event.id);
    list.prepend(eventRow(event));
    if (live) list.dataset.received = String(Number(list.dataset.received) + 1);
    while (list.children.length > SHOWN) list.lastElementChild?.remove();
  };
  for (const event of events) add(event, false);

  const rerender = () => {
    stream.close().catch(() => undefined);
    void renderAlarms(root).then((next) => (closeCurrent = next));
  };
  const spSelect = h(
    'select',
    {
      id: 'filter-salesperson',
      'aria-label': t('salesperson'),
      onchange: (e: Event) => ((filter.salespersonId = (e.target as HTMLSelectElement).value || undefined), rerender()),
    },
    h('option', { value: '' }, t('allSalespeople')),
    ...salespeople.map((s) => h('option', { value: s.id, selected: filter.salespersonId === s.id }, s.name)),
  );
  const stageSelect = h(
    'select',
    {
      id: 'filter-stage',
      'aria-label': t('minStage'),
      onchange: (e: Event) => ((filter.minStage = Number((e.target as HTMLSelectElement).value) || undefined), rerender()),
    },
    h('option', { value: '' }, t('allStages')),
    ...STAGES.map((s) => h('option', { value: String(s), selected: filter.minStage === s }, `${t('minStage')} ${s}`)),
  );

  replace(
    root,
    h('div', { class: 'page-head' }, h('h1', {}, t('alarms')), status),
    h('div', { class: 'filters' }, salespeople.length ? h('label', {}, `${t('salesperson')} `, spSelect) : null, h('label', {}, `${t('stage')} `, stageSelect)),
    events.length ? null : empty(t('noAlarms')),
    list,
  );

  const stream = client.subscribeOverdueEvents(
    { after: cursor, filter: apiFilter },
    {
      initialRetryDelayMs: 250,
      maxRetryDelayMs: 5000,
      onReconnect: () => {
        status.textContent = t('reconnecting');
        status.classList.add('offline');
      },
    },
  );
  void (async () => {
    try {
      for await (const event of stream) {
        status.textContent = t('connected');
        status.classList.remove('offline');
        root.querySelector('.empty')?.remove();
        add(event, true);
      }
    } catch (e) {
      status.textContent = e instanceof Error ? e.message : String(e);
      status.classList.add('offline');
    }
  })();
  let closeCurrent: () => void = () => void stream.close();
  return () => closeCurrent();
}
