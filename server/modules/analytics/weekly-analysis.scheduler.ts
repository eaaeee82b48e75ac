/**
 * The weekly schedule (WEEKLY_ANALYSIS_AT, default `MON 00:00` company time zone): every
 * instance checks once a minute, and at start-up, whether the last finished week is due
 * and not stored yet, and then publishes it. The publish lock and the week's primary key
 * make that one snapshot however many instances check. A server that was down at the
 * scheduled moment catches up on the latest week when it starts.
 */
import { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { Clock } from '../../core/clock';
import { type LocalDate } from '../../core/local-date';
import { type RepeatingJob, startRepeatingJob } from '../../core/repeating-job';
import { MetricsService } from './metrics.service';
import { WeeklyAnalysisService } from './weekly-analysis.service';
import { WeeklyAnalysisTrigger } from './weekly-analysis.types';
import { dueWeekStart, type WeeklySchedule } from '../../core/weekly-schedule';

function minuteOfDay(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return get('hour') * 60 + get('minute');
}

export function startWeeklyAnalysisScheduler(
  orm: MikroORM,
  clock: Clock,
  schedule: WeeklySchedule | null,
  rules: { timeZone: string; bookingLagLimitDays: number; contactSlaWorkingDays: number },
  logger: Logger,
): RepeatingJob {
  if (!schedule) return { stop: async () => undefined };
  let lastDone: LocalDate | undefined;
  return startRepeatingJob(
    'weekly analysis',
    60_000,
    async () => {
      const weekStart = dueWeekStart(clock.today(), minuteOfDay(clock.now(), rules.timeZone), schedule);
      if (weekStart === lastDone) return;
      const em = orm.em.fork();
      const snapshot = await new WeeklyAnalysisService(em, clock, new MetricsService(em, rules.timeZone, rules.contactSlaWorkingDays), rules).publishScheduled(
        weekStart,
      );
      if (snapshot) lastDone = weekStart;
      if (snapshot?.trigger === WeeklyAnalysisTrigger.SCHEDULE && snapshot.publishedAt.getTime() > Date.now() - 60_000) {
        logger.info({ weekStart }, 'weekly analysis stored');
      }
    },
    logger,
  );
}
