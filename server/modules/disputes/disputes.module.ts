/**
 * The disputes area: a customer contests (part of) a receivable. The disputed amount
 * leaves the chase (the overdue engine does not escalate a fully disputed receivable)
 * but stays in every money figure, as the `disputed` slice; a resolution credits what
 * the customer was right about (a ledger credit of the receivables area) and puts the
 * rest back into the chase.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../../context';
import { defineArea, type RequestScope } from '../../core/module';
import { Dispute } from './dispute.entity';
import { DisputeErrorReason } from './dispute.errors';
import { createDisputeLoaders } from './dispute.loaders';
import { DisputeResolver, OverdueEventDisputeResolver, ReceivableDisputesResolver } from './dispute.resolver';
import { DisputeService } from './dispute.service';
import { Migration20261210010000_disputes } from './migrations/Migration20261210010000_disputes';

declare module '../../context' {
  interface Services {
    disputes: DisputeService;
  }
  interface Loaders extends ReturnType<typeof createDisputeLoaders> {}
}

export const disputesArea = defineArea({
  name: 'disputes',
  entities: [Dispute],
  migrations: [{ name: 'Migration20261210010000_disputes', class: Migration20261210010000_disputes }],
  resolvers: [DisputeResolver, ReceivableDisputesResolver, OverdueEventDisputeResolver],
  reasons: DisputeErrorReason,
  setup: () => ({
    services: ({ em, clock, events }: RequestScope, lower: Services) => ({
      disputes: new DisputeService(em, clock, lower.receivables, lower.customers, events),
    }),
    loaders: (em: EntityManager) => createDisputeLoaders(em),
  }),
});
