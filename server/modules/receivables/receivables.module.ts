/**
 * The receivables area: invoices of customers, write-offs, credits and payment notices. It
 * announces changed receivables on the scope's ledger events (the overdue engine
 * listens) instead of calling the engine.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../../context';
import { defineArea, type RequestScope } from '../../core/module';
import { PaymentNotice } from './payment-notice.entity';
import { Receivable } from './receivable.entity';
import { ReceivableCredit } from './receivable-credit.entity';
import { createReceivableLoaders } from './receivable.loaders';
import { CustomerReceivablesResolver, PaymentNoticeResolver, ReceivableResolver } from './receivable.resolver';
import { PAYMENT_NOTICE_PARTICIPANTS, ReceivableService } from './receivable.service';
import { ReceivableErrorReason } from './receivable.errors';
import { receivableProjections } from './receivable.projections';

declare module '../../context' {
  interface Services {
    receivables: ReceivableService;
  }
  interface Loaders extends ReturnType<typeof createReceivableLoaders> {}
}

export const receivablesArea = defineArea({
  name: 'receivables',
  entities: [Receivable, PaymentNotice, ReceivableCredit],
  resolvers: [ReceivableResolver, PaymentNoticeResolver, CustomerReceivablesResolver],
  reasons: ReceivableErrorReason,
  projections: receivableProjections,
  setup: ({ config, clock: processClock, extensions }) => ({
    services: ({ em, clock, events }: RequestScope, lower: Services) => ({
      receivables: new ReceivableService(
        em,
        clock,
        lower.customers,
        events,
        {
          graceWorkingDays: config.graceWorkingDays,
          paymentNoticeHoldDays: config.paymentNoticeHoldDays,
          timeZone: config.timeZone,
        },
        // Filled by the areas above in their setup (after this one); a live list.
        extensions.list(PAYMENT_NOTICE_PARTICIPANTS),
      ),
    }),
    loaders: (em: EntityManager) => createReceivableLoaders(em, processClock, config.timeZone),
  }),
});
