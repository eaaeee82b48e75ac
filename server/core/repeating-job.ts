/**
 * A job that runs at start and then every interval, never overlapping itself; stopping
 * waits for a running round. Every instance runs its schedules: the jobs themselves take
 * a lock, so only one instance does the work of a round.
 */
import type { Logger } from 'pino';

export interface RepeatingJob {
  stop(): Promise<void>;
}

export function startRepeatingJob(name: string, intervalMs: number, round: () => Promise<void>, logger: Logger): RepeatingJob {
  if (intervalMs <= 0) return { stop: async () => undefined };
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = round()
      .catch((err: unknown) => logger.error({ err }, `${name} failed`))
      .finally(() => {
        running = undefined;
      });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
