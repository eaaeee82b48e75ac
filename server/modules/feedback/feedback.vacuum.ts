/**
 * Removes the dead row versions a feedback submission leaves behind, right after its
 * transaction ends, on the background pool.
 *
 * Why: a submission inserts its report, items and compliance row, then rewrites the
 * period (feedback.service.ts). The versions it replaced stay in the table pages, with
 * the transaction id (xmin) of the transaction that wrote them, until VACUUM removes
 * them; with pageinspect a superuser would find an anonymous report's first version and
 * its author's compliance row under one xmin. VACUUM cannot run inside the submitting
 * transaction, and cannot remove versions that a transaction still open when the
 * submission committed may see, so the job runs after commit and tries again (1 s, 5 s,
 * 30 s, 2 min) while the statistics still count dead versions. Requests arriving while a
 * round runs fold into one more round. Nothing is logged per round: a log line's time
 * would mark the moment of a submission. Only giving up is logged, minutes later.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { DEAD_TUPLES_OF_SUBMISSION_TABLES, VACUUM_SUBMISSION_TABLES } from './feedback.queries';

const RETRY_DELAYS_MS = [1000, 5000, 30_000, 120_000];

export class SubmissionVacuum {
  private running: Promise<void> | undefined;
  private requestedAgain = false;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly orm: MikroORM,
    private readonly logger: Logger,
    private readonly retryDelaysMs: readonly number[] = RETRY_DELAYS_MS,
  ) {}

  /** Called once a submission's transaction has ended, committed or rolled back. Never waits, never throws. */
  request(): void {
    if (this.stopped) return;
    if (this.running) {
      this.requestedAgain = true;
      this.wake?.();
      return;
    }
    this.running = this.rounds().finally(() => {
      this.running = undefined;
    });
  }

  /** Stops retrying and waits for a VACUUM in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  private async rounds(): Promise<void> {
    let attempt = 0;
    let lastError: unknown;
    while (!this.stopped) {
      this.requestedAgain = false;
      let dead = 0;
      try {
        const em = this.orm.em.fork();
        await VACUUM_SUBMISSION_TABLES.run(em);
        dead = await DEAD_TUPLES_OF_SUBMISSION_TABLES.one(em);
        lastError = undefined;
      } catch (err) {
        lastError = err;
      }
      if (this.requestedAgain) {
        attempt = 0;
        continue;
      }
      if (dead === 0 && lastError === undefined) return;
      if (attempt >= this.retryDelaysMs.length) {
        this.logger.warn(
          { err: lastError, deadVersions: dead },
          'feedback tables still hold dead row versions after repeated VACUUM; autovacuum will remove them later',
        );
        return;
      }
      await this.sleep(this.retryDelaysMs[attempt++]);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
