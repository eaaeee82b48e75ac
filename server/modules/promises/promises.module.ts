/**
 * The promises area: promises to pay, recorded on their own or by a PROMISED activity
 * (an outcome handler of the activities area), judged by every overdue judgement (a scan
 * participant of the overdue area), with their events in the one stream.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../../context';
import { defineArea, type RequestScope } from '../../core/module';
import { ACTIVITY_OUTCOME_HANDLERS } from '../activities/activity.service';
import { ActivityOutcome } from '../activities/activity.types';
import { CALENDAR_CHANGE_PARTICIPANTS } from '../calendar/calendar.service';
import { Customer } from '../customers/customer.entity';
import { SCAN_PARTICIPANTS } from '../overdue/overdue.service';
import { PromiseErrorReason } from './promise.errors';
import { createPromiseLoaders } from './promise.loaders';
import { ActivityPromiseResolver, OverdueEventPromiseResolver, PromiseResolver } from './promise.resolver';
import { judgePromises, PromiseService, recordPromise, redatePromises } from './promise.service';
import { Migration20261210020000_promises } from './migrations/Migration20261210020000_promises';
import { Migration20261216040000_promise_rejudge } from './migrations/Migration20261216040000_promise_rejudge';

declare module '../../context' {
  interface Services {
    promises: PromiseService;
  }
  interface Loaders extends ReturnType<typeof createPromiseLoaders> {}
}

export const promisesArea = defineArea({
  name: 'promises',
  migrations: [
    { name: 'Migration20261210020000_promises', class: Migration20261210020000_promises },
    { name: 'Migration20261216040000_promise_rejudge', class: Migration20261216040000_promise_rejudge },
  ],
  resolvers: [PromiseResolver, ActivityPromiseResolver, OverdueEventPromiseResolver],
  reasons: PromiseErrorReason,
  setup: ({ config, extensions }) => {
    const rules = { graceWorkingDays: config.promiseGraceWorkingDays };
    extensions.add(SCAN_PARTICIPANTS, { name: 'promises', afterJudgement: judgePromises });
    // A holiday declared on a promised date moves it (and the deadline) as it moves a due date.
    extensions.add(CALENDAR_CHANGE_PARTICIPANTS, { afterCalendarChange: ({ em, calendar, day }) => redatePromises(em, calendar, day, rules) });
    extensions.add(ACTIVITY_OUTCOME_HANDLERS, {
      outcome: ActivityOutcome.PROMISED,
      async apply({ em, principal, activity, input, today }) {
        const promise = input.promise!;
        const customer = await em.findOneOrFail(Customer, { id: activity.customerId });
        await recordPromise(
          em,
          today,
          rules,
          principal,
          {
            customerId: activity.customerId,
            receivableIds: activity.receivableIds,
            amount: promise.amount,
            promisedOn: promise.promisedOn,
            activityId: activity.id,
          },
          customer.ownerId,
          {
            customerId: 'input.customerId',
            receivableIds: 'input.receivableIds',
            amount: 'input.promise.amount',
            promisedOn: 'input.promise.promisedOn',
            activityId: 'input',
          },
        );
      },
    });
    return {
      services: ({ em, clock: scopeClock }: RequestScope, lower: Services) => ({
        promises: new PromiseService(em, scopeClock, lower.customers, rules),
      }),
      loaders: (em: EntityManager) => createPromiseLoaders(em),
    };
  },
});
