/** The services of one request, sharing its EntityManager. */
import { EntityManager } from '@mikro-orm/postgresql';
import type { AppDeps } from './context';
import { CalendarService } from './modules/calendar/calendar.service';
import { CustomerService } from './modules/customers/customer.service';
import { PaymentService } from './modules/payments/payment.service';
import { ReceivableService } from './modules/receivables/receivable.service';
import { AuthService, UserService } from './modules/users/user.service';
import { OverdueService } from './modules/overdue/overdue.service';
import { createAnalyticsServices } from './modules/analytics/analytics.services';
import { FeedbackService } from './modules/feedback/feedback.service';

export function createServices(em: EntityManager, deps: Pick<AppDeps, 'config' | 'clock' | 'tokenSecret'> & Partial<Pick<AppDeps, 'sessions' | 'loginThrottle'>>) {
  const { config, clock } = deps;
  const customers = new CustomerService(em);
  const overdue = new OverdueService(em, clock, { stages: config.overdueStages, timeZone: config.timeZone });
  const receivables = new ReceivableService(em, clock, customers, overdue, {
    graceWorkingDays: config.graceWorkingDays,
    paymentNoticeHoldDays: config.paymentNoticeHoldDays,
  });
  return {
    overdue,
    auth: new AuthService(em, deps),
    users: new UserService(em, deps),
    calendar: new CalendarService(em, config.graceWorkingDays),
    customers,
    receivables,
    payments: new PaymentService(em, clock, customers, overdue, {
      bookingLagLimitDays: config.bookingLagLimitDays,
      timeZone: config.timeZone,
    }),
    feedback: new FeedbackService(em, clock, customers, receivables),
    ...createAnalyticsServices(em, deps),
  };
}

export type Services = ReturnType<typeof createServices>;
