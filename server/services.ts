/** The services of one request, sharing its EntityManager. */
import { EntityManager } from '@mikro-orm/postgresql';
import type { AppDeps } from './context';
import { CalendarService } from './modules/calendar/calendar.service';
import { CustomerService } from './modules/customers/customer.service';
import { PaymentService } from './modules/payments/payment.service';
import { ReceivableService } from './modules/receivables/receivable.service';
import { AuthService, UserService } from './modules/users/user.service';

export function createServices(em: EntityManager, deps: AppDeps) {
  const { config, clock } = deps;
  const customers = new CustomerService(em, clock);
  return {
    auth: new AuthService(em, deps),
    users: new UserService(em),
    calendar: new CalendarService(em, config.graceWorkingDays),
    customers,
    receivables: new ReceivableService(em, clock, customers, config.graceWorkingDays),
    payments: new PaymentService(em, clock, customers, { bookingLagLimitDays: config.bookingLagLimitDays, timeZone: config.timeZone }),
  };
}

export type Services = ReturnType<typeof createServices>;
