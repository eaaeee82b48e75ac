/**
 * The overdue area: the engine that judges receivables into overdue stages, its
 * append-only event log, the per-process event hub and fan-out, and the scheduled scans. It listens
 * to the ledger events of every scope: a booked, voided or written-off receivable is
 * judged again right after its change commits.
 */
import { defineArea, type RequestScope } from '../../core/module';
import { registerGauge } from '../../core/prometheus';
import { OverdueFanOut } from './overdue.fanout';
import { OverdueEventHub } from './overdue.hub';
import { OverdueErrorReason } from './overdue.errors';
import { OverdueResolver, OverdueScanResultResolver } from './overdue.resolver';
import { startOverdueScheduler } from './overdue.scheduler';
import { OverdueService, SCAN_PARTICIPANTS, setScanObserver } from './overdue.service';
import { TIDY_STATES } from './overdue.queries';
import { Migration20261129010000_overdue } from './migrations/Migration20261129010000_overdue';
import { Migration20261202000000_overdue_incremental } from './migrations/Migration20261202000000_overdue_incremental';
import { Migration20261203000000_overdue_event_ids } from './migrations/Migration20261203000000_overdue_event_ids';
import { Migration20261210000000_overdue_event_kinds } from './migrations/Migration20261210000000_overdue_event_kinds';
import { Migration20261215000000_overdue_customer_tally } from './migrations/Migration20261215000000_overdue_customer_tally';
import { Migration20261216010000_overdue_freeze } from './migrations/Migration20261216010000_overdue_freeze';
import { Migration20261216030000_promise_reopened_event } from './migrations/Migration20261216030000_promise_reopened_event';
import { Migration20261223000000_overdue_kept_position } from './migrations/Migration20261223000000_overdue_kept_position';
import { Migration20261224000000_overdue_ledger_copy } from './migrations/Migration20261224000000_overdue_ledger_copy';
import { Migration20261226000000_overdue_schedule } from './migrations/Migration20261226000000_overdue_schedule';
import { Migration20261227000000_overdue_alarm_engine_once } from './migrations/Migration20261227000000_overdue_alarm_engine_once';

declare module '../../context' {
  interface Services {
    overdue: OverdueService;
  }
}

/**
 * Judged states (rewritten rows, so as many dead ones) after which the state table is
 * vacuumed: at once after a big judgement, and every few days' worth of small ones, well
 * before autovacuum's 2 %: every scan's candidate step visits the dead entries of the
 * next-judgement index that lie before its date (bench/RESULTS.md).
 */
const TIDY_AFTER_JUDGED = 10_000;

export const overdueArea = defineArea({
  name: 'overdue',
  migrations: [
    { name: 'Migration20261129010000_overdue', class: Migration20261129010000_overdue },
    { name: 'Migration20261202000000_overdue_incremental', class: Migration20261202000000_overdue_incremental },
    { name: 'Migration20261203000000_overdue_event_ids', class: Migration20261203000000_overdue_event_ids },
    { name: 'Migration20261210000000_overdue_event_kinds', class: Migration20261210000000_overdue_event_kinds },
    { name: 'Migration20261215000000_overdue_customer_tally', class: Migration20261215000000_overdue_customer_tally },
    { name: 'Migration20261216010000_overdue_freeze', class: Migration20261216010000_overdue_freeze },
    { name: 'Migration20261216030000_promise_reopened_event', class: Migration20261216030000_promise_reopened_event },
    { name: 'Migration20261223000000_overdue_kept_position', class: Migration20261223000000_overdue_kept_position },
    { name: 'Migration20261224000000_overdue_ledger_copy', class: Migration20261224000000_overdue_ledger_copy },
    { name: 'Migration20261226000000_overdue_schedule', class: Migration20261226000000_overdue_schedule },
    { name: 'Migration20261227000000_overdue_alarm_engine_once', class: Migration20261227000000_overdue_alarm_engine_once },
  ],
  resolvers: [OverdueResolver, OverdueScanResultResolver],
  reasons: OverdueErrorReason,
  async setup({ background, config, clock, logger, metrics, databaseUrl, extensions }) {
    // Filled by the areas above (their setup runs after this one), read at every judgement.
    const participants = extensions.list(SCAN_PARTICIPANTS);
    const rules = { stages: config.overdueStages, timeZone: config.timeZone };
    let tidying: Promise<unknown> | undefined;
    // Judged by this process since its last vacuum of the state table.
    let judgedSinceTidy = 0;
    setScanObserver((scan, committedMs) => {
      // Judgements leave as many dead state rows as they judged: once they add up (or one big
      // judgement brings them), clear them in the background, so the next scans start from a
      // clean index and fresh statistics.
      judgedSinceTidy += scan.judged;
      if (judgedSinceTidy >= TIDY_AFTER_JUDGED && !tidying) {
        judgedSinceTidy = 0;
        tidying = TIDY_STATES.run(background.em.fork())
          .catch((err: unknown) => logger.warn({ err }, 'vacuum of the overdue states after a large judgement failed; autovacuum will do it'))
          .finally(() => {
            tidying = undefined;
          });
      }
      metrics.scanDuration.observe(committedMs / 1000);
      metrics.overdueEvents.inc({ type: 'BECAME_OVERDUE' }, scan.becameOverdue);
      metrics.overdueEvents.inc({ type: 'STAGE_ESCALATED' }, scan.escalated);
      metrics.overdueEvents.inc({ type: 'CLEARED' }, scan.cleared);
    });
    const hub = new OverdueEventHub(background, databaseUrl, logger);
    // Listening before the HTTP server accepts, so the first subscription finds the hub awake.
    await hub.start();
    const fanOut = new OverdueFanOut(hub, logger, () => metrics.subscriptionCatchUps.inc());
    // The fan-out is one hub listener for all of its subscribers.
    registerGauge(
      metrics,
      'huikuan_active_subscriptions',
      'Overdue event subscriptions open on this instance',
      () => fanOut.subscriberCount + hub.subscriberCount - (fanOut.listening ? 1 : 0),
    );
    let scheduler: { stop(): Promise<void> } | undefined;
    return {
      services: ({ em, clock: scopeClock, events }: RequestScope) => {
        const overdue = new OverdueService(em, scopeClock, rules, fanOut, participants);
        events.onReceivablesChanged((ids) => overdue.reevaluate(ids));
        return { overdue };
      },
      start() {
        scheduler = startOverdueScheduler(
          () => new OverdueService(background.em.fork(), clock, rules, fanOut, participants),
          clock,
          config.overdueScanIntervalSeconds,
          logger,
        );
      },
      async stop() {
        await scheduler?.stop();
        await tidying;
        await hub.stop();
      },
    };
  },
});
