/**
 * The worklist area: whom a salesperson (or finance, a manager) should chase on a
 * business date, and in which order. It reads what the areas below keep — positions of
 * the ledger, disputes, promises, activities, credit status — and owns no table.
 */
import { defineArea, type RequestScope } from '../../core/module';
import { Migration20261214000000_worklist } from './migrations/Migration20261214000000_worklist';
import { WorklistResolver } from './worklist.resolver';
import { WorklistService } from './worklist.service';

declare module '../../context' {
  interface Services {
    worklist: WorklistService;
  }
}

export const worklistArea = defineArea({
  name: 'worklist',
  migrations: [{ name: 'Migration20261214000000_worklist', class: Migration20261214000000_worklist }],
  resolvers: [WorklistResolver],
  setup: ({ config }) => {
    const rules = {
      timeZone: config.timeZone,
      lookaheadDays: config.worklistLookaheadDays,
      stages: config.overdueStages,
      brokenPromiseDays: config.creditRules.brokenPromiseDays,
    };
    return {
      services: ({ em }: RequestScope) => ({ worklist: new WorklistService(em, rules) }),
    };
  },
});
