/**
 * The activities area: the contact log of collection work (calls, visits, messages,
 * e-mails and what the customer said), captured offline on phones and uploaded
 * idempotently. It records every payment notice as a CLAIMS_PAID activity (a participant
 * of the receivables area's notices), and lets higher areas act on an outcome's details
 * in the same transaction (ACTIVITY_OUTCOME_HANDLERS: promises, disputes).
 */
import type { Services } from '../../context';
import { defineArea, type RequestScope } from '../../core/module';
import { PAYMENT_NOTICE_PARTICIPANTS } from '../receivables/receivable.service';
import { ActivityErrorReason } from './activity.errors';
import { ActivityResolver } from './activity.resolver';
import { ACTIVITY_OUTCOME_HANDLERS, ActivityService, recordNoticeActivity } from './activity.service';
import { Migration20261210010000_activities } from './migrations/Migration20261210010000_activities';
import { Migration20261216000000_activity_notices } from './migrations/Migration20261216000000_activity_notices';

declare module '../../context' {
  interface Services {
    activities: ActivityService;
  }
}

export const activitiesArea = defineArea({
  name: 'activities',
  migrations: [
    { name: 'Migration20261210010000_activities', class: Migration20261210010000_activities },
    { name: 'Migration20261216000000_activity_notices', class: Migration20261216000000_activity_notices },
  ],
  resolvers: [ActivityResolver],
  reasons: ActivityErrorReason,
  setup: ({ config, clock, extensions }) => {
    const rules = { timeZone: config.timeZone, backdateDays: config.activityBackdateDays, paymentNoticeHoldDays: config.paymentNoticeHoldDays };
    // Filled by the areas above in their setup; a live list.
    const handlers = extensions.list(ACTIVITY_OUTCOME_HANDLERS);
    // reportPaymentNotice stays the receivables area's; its notice is logged here, in its transaction.
    extensions.add(PAYMENT_NOTICE_PARTICIPANTS, {
      async afterNotice({ em, principal, notice, customerId }) {
        await recordNoticeActivity(em, clock, principal, { ...notice, customerId });
      },
    });
    return {
      services: ({ em, clock: scopeClock, events }: RequestScope, lower: Services) => ({
        activities: new ActivityService(em, scopeClock, lower.customers, rules, handlers, events),
      }),
    };
  },
});
