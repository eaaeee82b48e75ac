/** The analytics services of one request, sharing its EntityManager (spread into server/services.ts). */
import { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config';
import type { Clock } from '../../core/clock';
import { GoalService } from './goal.service';
import { MetricsService } from './metrics.service';
import { WeeklyAnalysisService } from './weekly-analysis.service';

export function createAnalyticsServices(em: EntityManager, deps: { config: Config; clock: Clock }) {
  const metrics = new MetricsService(em, deps.config.timeZone);
  return {
    metrics,
    weeklyAnalyses: new WeeklyAnalysisService(em, deps.clock, metrics, {
      timeZone: deps.config.timeZone,
      bookingLagLimitDays: deps.config.bookingLagLimitDays,
    }),
    goals: new GoalService(em, deps.clock, metrics),
  };
}
