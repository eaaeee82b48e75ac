/** Pieces the pages share: money cells that keep the API's exact string, sections, empty states. */
import { h, type Child } from '../dom';
import { formatMoney, formatRate } from '../format';
import { locale, t } from '../i18n';

/** A money value: formatted for the reader, the API's exact string kept in data-value. */
export function money(value: string | null | undefined): HTMLElement {
  return h('span', { class: 'money', 'data-value': value ?? '' }, formatMoney(value, locale()));
}

export function rate(value: number | null | undefined): HTMLElement {
  return h('span', { class: 'rate', 'data-value': value === null || value === undefined ? '' : String(value) }, formatRate(value, locale()));
}

export function section(id: string, title: string, ...children: Child[]): HTMLElement {
  return h('section', { id, class: 'card', 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, title), ...children);
}

export function empty(text = t('noData')): HTMLElement {
  return h('p', { class: 'muted empty' }, text);
}

/** A chart and its table side by side (stacked on narrow screens). */
export function chartWithTable(chart: HTMLElement, table: HTMLElement): HTMLElement {
  return h('div', { class: 'chart-and-table' }, h('div', { class: 'chart-box' }, chart), h('div', { class: 'table-box' }, table));
}

export function badge(status: string, text: string): HTMLElement {
  return h('span', { class: `badge badge-${status.toLowerCase().replace(/_/g, '-')}` }, text);
}
