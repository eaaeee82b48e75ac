/**
 * The credit area: each customer's credit status (OK / WARN / HOLD) derived by rules from
 * the overdue engine's stages, overdue money against the credit limit and broken
 * promises, managers' overrides with their history, and a CREDIT_STATUS_CHANGED event in
 * the overdue event stream for every change of the effective status. It takes part in
 * every judgement of the overdue engine (SCAN_PARTICIPANTS) and listens for changed
 * credit limits.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { defineArea, type RequestScope } from '../../core/module';
import type { Services } from '../../context';
import { SCAN_PARTICIPANTS } from '../overdue/overdue.service';
import { CreditErrorReason } from './credit.errors';
import { createCreditLoaders } from './credit.loaders';
import { creditProjections } from './credit.projections';
import { CreditOverrideResolver, CreditStatusChangeResolver, CreditStatusDetailResolver, CustomerCreditResolver } from './credit.resolver';
import { CreditEvaluator, CreditService } from './credit.service';
import { Migration20261212000000_credit } from './migrations/Migration20261212000000_credit';

declare module '../../context' {
  interface Services {
    credit: CreditService;
  }
  interface Loaders extends ReturnType<typeof createCreditLoaders> {}
}

export const creditArea = defineArea({
  name: 'credit',
  migrations: [{ name: 'Migration20261212000000_credit', class: Migration20261212000000_credit }],
  resolvers: [CustomerCreditResolver, CreditStatusDetailResolver, CreditOverrideResolver, CreditStatusChangeResolver],
  reasons: CreditErrorReason,
  projections: creditProjections,
  setup({ config, extensions }) {
    const evaluator = new CreditEvaluator({ rules: config.creditRules });
    // Every judgement of the overdue engine (scans, and re-evaluations right after a ledger
    // change) evaluates the customers it touched, in its transaction, after the stages.
    extensions.add(SCAN_PARTICIPANTS, { name: 'credit', afterJudgement: (run) => evaluator.afterJudgement(run) });
    return {
      services: ({ em, clock, events }: RequestScope, lower: Services) => {
        const credit = new CreditService(em, clock, evaluator, lower.customers);
        events.onCustomersChanged((ids) => credit.reevaluateCustomers(ids));
        return { credit };
      },
      loaders: (em: EntityManager) => createCreditLoaders(em),
    };
  },
});
