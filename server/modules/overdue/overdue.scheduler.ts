/**
 * Scheduled overdue scans: one right after start-up, then every OVERDUE_SCAN_INTERVAL.
 * Every instance runs the schedule; the scan's advisory lock lets only one of them scan
 * at a time, and the others skip that round.
 */
import type { Logger } from 'pino';
import { Clock } from '../../core/clock';
import { type RepeatingJob, startRepeatingJob } from '../../core/repeating-job';
import { OverdueService } from './overdue.service';

/** `engine` builds the engine on a fresh unit of work for each round. */
export function startOverdueScheduler(engine: () => OverdueService, clock: Clock, intervalSeconds: number, logger: Logger): RepeatingJob {
  return startRepeatingJob(
    'overdue scan',
    intervalSeconds * 1000,
    async () => {
      const result = await engine().scan(clock.today(), { skipIfBusy: true });
      if (result.ran && result.becameOverdue + result.escalated + result.cleared > 0) logger.info({ scan: result }, 'overdue scan');
    },
    logger,
  );
}
