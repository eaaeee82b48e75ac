/**
 * Scheduled overdue scans: one right after start-up, then every OVERDUE_SCAN_INTERVAL.
 * Every instance runs the schedule; the scan's advisory lock lets only one of them scan
 * at a time, and the others skip that round.
 */
import { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { Clock } from '../../core/clock';
import { type RepeatingJob, startRepeatingJob } from '../../core/repeating-job';
import { OverdueRules, OverdueService } from './overdue.service';

export function startOverdueScheduler(orm: MikroORM, clock: Clock, rules: OverdueRules, intervalSeconds: number, logger: Logger): RepeatingJob {
  return startRepeatingJob(
    'overdue scan',
    intervalSeconds * 1000,
    async () => {
      const result = await new OverdueService(orm.em.fork(), clock, rules).scan(clock.today(), { skipIfBusy: true });
      if (result.ran && result.becameOverdue + result.escalated + result.cleared > 0) logger.info({ scan: result }, 'overdue scan');
    },
    logger,
  );
}
