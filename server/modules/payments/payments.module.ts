/**
 * The payments area: money that arrived (on `receivedOn`), its allocations to
 * receivables, customer credit and voids. Announces touched receivables on the scope's
 * ledger events.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../../context';
import { defineArea, type RequestScope } from '../../core/module';
import { Allocation } from './allocation.entity';
import { Payment } from './payment.entity';
import { createPaymentLoaders } from './payment.loaders';
import { AllocationResolver, PaymentResolver, ReceivableAllocationsResolver } from './payment.resolver';
import { PaymentService } from './payment.service';
import { PaymentErrorReason } from './payment.errors';

declare module '../../context' {
  interface Services {
    payments: PaymentService;
  }
  interface Loaders extends ReturnType<typeof createPaymentLoaders> {}
}

export const paymentsArea = defineArea({
  name: 'payments',
  entities: [Payment, Allocation],
  resolvers: [PaymentResolver, AllocationResolver, ReceivableAllocationsResolver],
  reasons: PaymentErrorReason,
  setup: ({ config }) => ({
    services: ({ em, clock, events }: RequestScope, lower: Services) => ({
      payments: new PaymentService(em, clock, lower.customers, events, {
        bookingLagLimitDays: config.bookingLagLimitDays,
        timeZone: config.timeZone,
      }),
    }),
    loaders: (em: EntityManager) => createPaymentLoaders(em),
  }),
});
