/**
 * The analytics area: collection metrics in SQL (aging, rates, DSO, CEI) judged by the
 * date money arrived, the weekly analysis snapshots and their schedule, goals and
 * scorecards.
 */
import { defineArea, type RequestScope } from '../../core/module';
import { ANALYTICS_RESOLVERS } from './analytics.resolver';
import { AnalyticsErrorReason } from './analytics.errors';
import { analyticsProjections } from './analytics.projections';
import { Goal } from './goal.entity';
import { GoalService } from './goal.service';
import { MetricsService } from './metrics.service';
import { Migration20261129020000_analytics } from './migrations/Migration20261129020000_analytics';
import { Migration20261214010000_collection_goal_metrics } from './migrations/Migration20261214010000_collection_goal_metrics';
import { startWeeklyAnalysisScheduler } from './weekly-analysis.scheduler';
import { WeeklyAnalysisService } from './weekly-analysis.service';

declare module '../../context' {
  interface Services {
    metrics: MetricsService;
    weeklyAnalyses: WeeklyAnalysisService;
    goals: GoalService;
  }
}

export const analyticsArea = defineArea({
  name: 'analytics',
  entities: [Goal],
  migrations: [
    { name: 'Migration20261129020000_analytics', class: Migration20261129020000_analytics },
    { name: 'Migration20261214010000_collection_goal_metrics', class: Migration20261214010000_collection_goal_metrics },
  ],
  resolvers: ANALYTICS_RESOLVERS,
  reasons: AnalyticsErrorReason,
  projections: analyticsProjections,
  setup({ background, config, clock, logger }) {
    const rules = { timeZone: config.timeZone, bookingLagLimitDays: config.bookingLagLimitDays, contactSlaWorkingDays: config.contactSlaWorkingDays };
    let scheduler: { stop(): Promise<void> } | undefined;
    return {
      services: ({ em, clock: scopeClock }: RequestScope) => {
        const metrics = new MetricsService(em, config.timeZone, config.contactSlaWorkingDays);
        return {
          metrics,
          weeklyAnalyses: new WeeklyAnalysisService(em, scopeClock, metrics, rules),
          goals: new GoalService(em, scopeClock, metrics),
        };
      },
      start() {
        scheduler = startWeeklyAnalysisScheduler(background, clock, config.weeklyAnalysisAt, rules, logger);
      },
      async stop() {
        await scheduler?.stop();
      },
    };
  },
});
