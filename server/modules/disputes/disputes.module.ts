/**
 * The disputes area: a customer contests (part of) a receivable. The disputed amount
 * leaves the chase (the overdue engine does not escalate a fully disputed receivable)
 * but stays in every money figure, as the `disputed` slice; a resolution credits what
 * the customer was right about (a ledger credit of the receivables area) and puts the
 * rest back into the chase.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../../context';
import { Permission, requireAccess } from '../../core/access';
import { badInput, CoreErrorReason, notFound } from '../../core/errors';
import { defineArea, type RequestScope } from '../../core/module';
import { ActivityErrorReason } from '../activities/activity.errors';
import { ACTIVITY_OUTCOME_HANDLERS } from '../activities/activity.service';
import { ActivityOutcome } from '../activities/activity.types';
import { Receivable } from '../receivables/receivable.entity';
import { Dispute, DisputeCategory } from './dispute.entity';
import { DisputeErrorReason } from './dispute.errors';
import { createDisputeLoaders } from './dispute.loaders';
import { DisputeResolver, OverdueEventDisputeResolver, ReceivableDisputesResolver } from './dispute.resolver';
import { disputeReason, DisputeService, openDisputeIn } from './dispute.service';
import { Migration20261210010000_disputes } from './migrations/Migration20261210010000_disputes';
import { Migration20261216020000_dispute_freezes } from './migrations/Migration20261216020000_dispute_freezes';

declare module '../../context' {
  interface Services {
    disputes: DisputeService;
  }
  interface Loaders extends ReturnType<typeof createDisputeLoaders> {}
}

export const disputesArea = defineArea({
  name: 'disputes',
  entities: [Dispute],
  migrations: [
    { name: 'Migration20261210010000_disputes', class: Migration20261210010000_disputes },
    { name: 'Migration20261216020000_dispute_freezes', class: Migration20261216020000_dispute_freezes },
  ],
  resolvers: [DisputeResolver, ReceivableDisputesResolver, OverdueEventDisputeResolver],
  reasons: DisputeErrorReason,
  setup: ({ clock, extensions }) => {
    // A DISPUTED collection activity with its dispute opens it in the activity's transaction
    // (the same rules as openDispute); the next scan judges the receivable (its trigger marked it).
    extensions.add(ACTIVITY_OUTCOME_HANDLERS, {
      outcome: ActivityOutcome.DISPUTED,
      async apply({ em, principal, activity, input, today }) {
        requireAccess(principal, Permission.DISPUTE_OPEN, 'Salespeople (own customers) and finance open disputes');
        const details = input.dispute!;
        const category = (Object.values(DisputeCategory) as string[]).includes(details.category) ? (details.category as DisputeCategory) : undefined;
        if (!category)
          throw badInput('input.dispute.category', `category must be one of ${Object.values(DisputeCategory).join(', ')}`, CoreErrorReason.OUT_OF_RANGE);
        const reason = disputeReason(details.reason, 'input.dispute.reason');
        if (details.amount <= 0n) throw badInput('input.dispute.amount', 'amount must be greater than zero', CoreErrorReason.OUT_OF_RANGE);
        const receivable = await em.findOne(Receivable, { id: details.receivableId });
        if (!receivable) throw notFound('Receivable', details.receivableId, 'input.dispute.receivableId');
        if (receivable.customerId !== activity.customerId)
          throw badInput('input.dispute.receivableId', 'the disputed receivable belongs to another customer', ActivityErrorReason.RECEIVABLE_OF_OTHER_CUSTOMER);
        await openDisputeIn(
          em,
          today,
          clock.now(),
          principal,
          receivable.id,
          receivable.customerId,
          { amount: details.amount, category, reason },
          'input.dispute.amount',
        );
      },
    });
    return {
      services: ({ em, clock, events }: RequestScope, lower: Services) => ({
        disputes: new DisputeService(em, clock, lower.receivables, lower.customers, events),
      }),
      loaders: (em: EntityManager) => createDisputeLoaders(em),
    };
  },
});
