/**
 * The credit area: each customer's credit status (OK / WARN / HOLD) derived by rules from
 * the overdue engine's stages, overdue money against the credit limit and broken
 * promises, managers' overrides with their history, and a CREDIT_STATUS_CHANGED event in
 * the overdue event stream for every change of the effective status. It listens to the
 * ledger events of every scope: a customer's changed receivables or credit limit are
 * evaluated again right after the change commits.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { defineArea, type RequestScope } from '../../core/module';
import { lockForTransaction } from '../../db/locks';
import type { Services } from '../../context';
import { CreditErrorReason } from './credit.errors';
import { createCreditLoaders } from './credit.loaders';
import { creditProjections } from './credit.projections';
import { CreditOverrideResolver, CreditStatusChangeResolver, CreditStatusDetailResolver, CustomerCreditResolver } from './credit.resolver';
import { type CreditEventStream, CreditService } from './credit.service';
import { Migration20261212000000_credit } from './migrations/Migration20261212000000_credit';

declare module '../../context' {
  interface Services {
    credit: CreditService;
  }
  interface Loaders extends ReturnType<typeof createCreditLoaders> {}
}

/** Until the event stream carries credit events (issue 10, branch c1): evaluations take a lock of their own and write no event. */
const STREAM: CreditEventStream = {
  lock: async (em) => {
    await lockForTransaction(em, 'huikuan-credit');
  },
  appendStatusChange: async () => undefined,
};

export const creditArea = defineArea({
  name: 'credit',
  migrations: [{ name: 'Migration20261212000000_credit', class: Migration20261212000000_credit }],
  resolvers: [CustomerCreditResolver, CreditStatusDetailResolver, CreditOverrideResolver, CreditStatusChangeResolver],
  reasons: CreditErrorReason,
  projections: creditProjections,
  setup({ config }) {
    const settings = { rules: config.creditRules, timeZone: config.timeZone };
    return {
      services: ({ em, clock, events }: RequestScope, lower: Services) => {
        const credit = new CreditService(em, clock, settings, STREAM, lower.customers);
        // Registered after the overdue engine's listener: the stages are judged first.
        events.onReceivablesChanged((ids) => credit.reevaluateReceivables(ids));
        events.onCustomersChanged((ids) => credit.reevaluateCustomers(ids));
        return { credit };
      },
      loaders: (em: EntityManager) => createCreditLoaders(em),
    };
  },
});
