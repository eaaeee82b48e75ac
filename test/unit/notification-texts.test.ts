/**
 * What notifications say. Every stream event type either has a notification text in both languages or is
 * deliberately left untold (EVENTS_NOT_TOLD): a type added to the enum without a text
 * fails here instead of going silently unsent.
 */
import 'reflect-metadata';
import type { Scorecard } from '../../server/modules/analytics/goal.types';
import { scorecardMovers } from '../../server/modules/notifications/notification.sender';
import { dailyDigestMessage, EVENTS_NOT_TOLD, eventMessage, type EventForPeople } from '../../server/modules/notifications/notification.texts';
import { Locale } from '../../server/modules/users/user.locale';
import { OverdueEventType } from '../../server/modules/overdue/overdue.types';

const event = (type: string): EventForPeople => ({
  type,
  customerCode: 'C-1',
  customerName: '锦华贸易',
  reference: 'INV-1',
  stage: 30,
  daysOverdue: 31,
  outstanding: '1200.00',
  state: 'OPEN',
  amount: '500.00',
  asOf: '2026-12-07',
});

test.each(Object.values(OverdueEventType))('%s has a text in zh-CN and en, or is deliberately untold', (type) => {
  for (const locale of Object.values(Locale)) {
    const message = eventMessage(event(type), locale, 'CNY');
    if (EVENTS_NOT_TOLD.includes(type)) {
      expect(message).toBeUndefined();
    } else {
      expect(message?.subject).toEqual(expect.any(String));
      expect(message?.subject).not.toMatch(/undefined|null/);
      expect(message?.body).not.toMatch(/undefined|null/);
    }
  }
});

test('a reopened promise is told in both languages', () => {
  expect(eventMessage(event('PROMISE_REOPENED'), Locale.ZH_CN, 'CNY')?.subject).toBe('【付款承诺】锦华贸易 的付款承诺重新待兑现');
  expect(eventMessage(event('PROMISE_REOPENED'), Locale.EN, 'CNY')?.subject).toBe("[Promise] 锦华贸易's promise to pay is open again");
});

test('the daily digest lists the kept messages, subject and text, in the recipient’s language', () => {
  const items = [
    { subject: '[Overdue] A INV-1 is 20 days overdue', body: 'line one\nline two' },
    { subject: '[Promise] B kept a promise to pay', body: 'kept' },
  ];
  expect(dailyDigestMessage(items, '2026-12-07', Locale.EN)).toEqual({
    subject: '[Daily digest] 2 notifications, 2026-12-07',
    body: '1. [Overdue] A INV-1 is 20 days overdue\n   line one\n   line two\n2. [Promise] B kept a promise to pay\n   kept',
  });
  expect(dailyDigestMessage(items.slice(0, 1), '2026-12-07', Locale.ZH_CN).subject).toBe('【每日摘要】2026-12-07 共 1 条通知');
});

test('scorecard movers: whose score changed, largest change first, at most 3, unscored without a rank', () => {
  const card = (id: string, score: number | null, rank: number) => ({ salespersonId: id, score, rank }) as Scorecard;
  const names = new Map([
    ['a', 'Ann'],
    ['b', 'Bo'],
    ['c', 'Cy'],
    ['d', 'Di'],
    ['e', 'Ed'],
  ]);
  const before = [card('a', 0.9, 1), card('b', 0.5, 2), card('c', 0.4, 3), card('d', null, 4), card('e', 0.2, 4)];
  const now = [card('b', 0.95, 1), card('a', 0.6, 2), card('d', 0.5, 3), card('c', 0.4, 4), card('e', 0.25, 5)];
  expect(scorecardMovers(now, before, names)).toEqual([
    { name: 'Di', rankBefore: null, rankAfter: 3, scoreBefore: null, scoreAfter: 0.5 },
    { name: 'Bo', rankBefore: 2, rankAfter: 1, scoreBefore: 0.5, scoreAfter: 0.95 },
    { name: 'Ann', rankBefore: 1, rankAfter: 2, scoreBefore: 0.9, scoreAfter: 0.6 },
  ]);
  expect(scorecardMovers(before, before, names)).toEqual([]);
});
