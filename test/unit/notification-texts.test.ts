/**
 * Every stream event type either has a notification text in both languages or is
 * deliberately left untold (EVENTS_NOT_TOLD): a type added to the enum without a text
 * fails here instead of going silently unsent.
 */
import 'reflect-metadata';
import { EVENTS_NOT_TOLD, eventMessage, type EventForPeople } from '../../server/modules/notifications/notification.texts';
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
