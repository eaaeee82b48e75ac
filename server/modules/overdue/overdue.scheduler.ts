/**
 * Scheduled overdue scans: one right after start-up, then every OVERDUE_SCAN_INTERVAL.
 * Every instance runs the schedule; the scan's advisory lock lets only one of them scan
 * at a time, and the others skip that round.
 */
import { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { Clock } from '../../core/clock';
import { OverdueRules, OverdueService } from './overdue.service';
import { OverdueScanResult } from './overdue.types';

export interface OverdueScheduler {
  stop(): Promise<void>;
}

export function startOverdueScheduler(
  orm: MikroORM,
  clock: Clock,
  rules: OverdueRules,
  intervalSeconds: number,
  logger: Logger,
  onScan?: (result: OverdueScanResult) => void,
): OverdueScheduler {
  if (intervalSeconds <= 0) return { stop: async () => undefined };
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = new OverdueService(orm.em.fork(), clock, rules)
      .scan(clock.today(), { skipIfBusy: true })
      .then((result) => {
        onScan?.(result);
        if (result.ran && result.becameOverdue + result.escalated + result.cleared > 0) {
          logger.info({ scan: result }, 'overdue scan');
        }
      })
      .catch((err) => logger.error({ err }, 'overdue scan failed'))
      .finally(() => {
        running = undefined;
      });
  };
  tick();
  const timer = setInterval(tick, intervalSeconds * 1000);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
