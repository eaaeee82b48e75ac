/**
 * Credit status: what an order system asks before it ships to a customer on credit.
 *
 * A customer's status is derived by rules (config.ts `creditRules`, docs/metrics.md) from
 * the highest overdue stage its receivables hold, its overdue money against its credit
 * limit and the promises to pay it broke lately; a manager may override it until a date.
 * The effective status is stored per customer and changes only in an evaluation, which
 * writes, in the same transaction, the history and one CREDIT_STATUS_CHANGED event per
 * change: the field and the stream never disagree.
 *
 * Evaluations run as of the overdue engine's date (the last scan's; today before the
 * first scan) under the event stream's lock: in every judgement of the overdue engine (a
 * scan participant: the scan of a date, and the re-evaluation right after a ledger
 * change), for the customers whose figures can have moved; right after a change of a
 * customer's credit limit; and on an override. `CreditEvaluator` is the evaluation
 * itself, on a given transaction; `CreditService` the request-scoped entry points.
 */
import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { Principal } from '../../core/auth';
import { Clock } from '../../core/clock';
import { Permission, requireAccess } from '../../core/access';
import { badInput, conflict, CoreErrorReason } from '../../core/errors';
import { isAfter, type LocalDate } from '../../core/local-date';
import { formatMoney } from '../../core/money';
import { pageSize, type Page } from '../../core/pagination';
import type { CreditRules } from '../../config';
import { type CustomerService } from '../customers/customer.service';
import { appendOverdueEvents, lockEventStream } from '../overdue/overdue.append';
import { type ScanParticipantRun } from '../overdue/overdue.service';
import { OverdueEventType } from '../overdue/overdue.types';
import { CreditErrorReason } from './credit.errors';
import {
  END_OVERRIDE,
  ENGINE_DATE,
  EVALUATE,
  type Evaluated,
  historyPage,
  INSERT_OVERRIDE,
  LOCK_CUSTOMER,
  type RuleParams,
  SCAN_SCOPE,
  WRITE_HISTORY,
} from './credit.queries';
import { CreditRule, CreditStatus, CreditStatusChange, CreditStatusChangeKind, CreditStatusReason } from './credit.types';

export const MAX_OVERRIDE_REASON_LENGTH = 1000;

export interface CreditSettings {
  rules: CreditRules;
}

/** A manager's action, recorded with the evaluation it causes. */
interface Action {
  kind: CreditStatusChangeKind.OVERRIDE_SET | CreditStatusChangeKind.OVERRIDE_CLEARED;
  customerId: string;
  actorId: string;
  reason: string;
  until: LocalDate | null;
}

/**
 * The evaluation, on the caller's transaction: applies the rules to a set of customers as
 * of a date, stores the result and writes the history and the events of what changed.
 */
export class CreditEvaluator {
  constructor(private readonly settings: CreditSettings) {}

  /** The rules as the evaluation statement takes them. */
  private ruleParams(): RuleParams {
    const r = this.settings.rules;
    return {
      warnStage: r.warnStage,
      holdStage: r.holdStage,
      warnPct: r.warnOverduePercent,
      holdPct: r.holdOverduePercent,
      promiseDays: r.brokenPromiseDays,
      warnBroken: r.warnBrokenPromises,
      holdBroken: r.holdBrokenPromises,
    };
  }

  /** The rules as one text: the first scan after a change of them evaluates every customer again. */
  private rulesFingerprint(): string {
    return JSON.stringify(this.ruleParams());
  }

  /**
   * The scan participant (in the judgement's transaction, after the receivables were
   * judged, the scan lock held): evaluates as of the judgement's date the customers of the
   * receivables it judged (their stages or overdue money may have moved, a promise of
   * theirs may have been judged again after a change of them); in a
   * scan also those with an override whose `until` has come and those whose broken
   * promises entered or left the window, and every customer at the first scan and at the
   * first after a change of the rules.
   */
  async afterJudgement(run: ScanParticipantRun): Promise<void> {
    const { em, asOf, judgedCustomerIds: judged } = run;
    if (run.kind !== 'SCAN') {
      if (judged.length > 0) await this.evaluate(em, asOf, { ids: judged });
      return;
    }
    const scope = await SCAN_SCOPE.one(em, {
      asOf,
      since: run.previousEngineDate,
      promiseDays: this.settings.rules.brokenPromiseDays,
      rules: this.rulesFingerprint(),
    });
    if (scope.all) {
      await this.evaluate(em, asOf, { all: true });
    } else {
      const ids = [...new Set([...judged, ...scope.ids])];
      if (ids.length > 0) await this.evaluate(em, asOf, { ids });
    }
  }

  /**
   * Evaluates the customers as of `asOf` in the transaction of `em` (whose caller holds the
   * stream's lock), and writes the history and the events of what changed.
   */
  async evaluate(em: EntityManager, asOf: LocalDate, scope: { all: true } | { ids: readonly string[] }, action?: Action): Promise<void> {
    const all = 'all' in scope;
    const changes = await EVALUATE.all(em, {
      asOf,
      all,
      ids: all ? [] : scope.ids,
      action: action?.kind ?? null,
      actionCustomer: action?.customerId ?? null,
      ...this.ruleParams(),
    });
    if (changes.length === 0) return;
    const entries = changes.map((change) => ({ change, reason: this.historyReason(change, action) }));
    await WRITE_HISTORY.run(em, {
      asOf,
      customers: entries.map((e) => e.change.customerId),
      kinds: entries.map((e) => e.change.kind),
      froms: entries.map((e) => e.change.from),
      tos: entries.map((e) => e.change.to),
      reasons: entries.map((e) => e.reason),
      untils: entries.map((e) => (e.change.kind === CreditStatusChangeKind.OVERRIDE_SET ? (action?.until ?? '') : '')),
      actors: entries.map((e) => (action && e.change.customerId === action.customerId ? action.actorId : '')),
    });
    // One statement for all of them: the day a cohort reaches a stage changes a thousand customers.
    await appendOverdueEvents(
      em,
      entries
        .filter(({ change }) => change.from !== change.to)
        .map(({ change }) => ({
          type: OverdueEventType.CREDIT_STATUS_CHANGED,
          customerId: change.customerId,
          previousState: change.from,
          state: change.to,
          detail: this.eventDetail(change, action),
          asOf,
        })),
    );
  }

  /** The history's reason: the manager's words, or what expired, or the rules that fired. */
  private historyReason(change: Evaluated, action: Action | undefined): string {
    if (action && change.customerId === action.customerId) return action.reason;
    if (change.kind === CreditStatusChangeKind.OVERRIDE_EXPIRED) {
      return `override ${change.overrideStatus} until ${change.overrideUntil} expired; the rules apply: ${this.rulesSentence(change)}`;
    }
    return this.rulesSentence(change);
  }

  /** The event's sentence for people: from, to, and why. */
  private eventDetail(change: Evaluated, action: Action | undefined): string {
    const head = `credit status ${change.from} → ${change.to}`;
    switch (change.kind) {
      case CreditStatusChangeKind.OVERRIDE_SET:
        return `${head}: override until ${action?.until}: ${action?.reason}`;
      case CreditStatusChangeKind.OVERRIDE_CLEARED:
        return `${head}: override cleared (${action?.reason}); the rules apply: ${this.rulesSentence(change)}`;
      case CreditStatusChangeKind.OVERRIDE_EXPIRED:
        return `${head}: override until ${change.overrideUntil} expired; the rules apply: ${this.rulesSentence(change)}`;
      case CreditStatusChangeKind.RULES:
        return `${head}: ${this.rulesSentence(change)}`;
    }
  }

  private rulesSentence(change: Evaluated): string {
    const reasons = creditReasons(change.reasons, change, this.settings.rules);
    return reasons.length === 0 ? 'no rule fires (OK)' : reasons.map((r) => r.description).join('; ');
  }
}

/** Credit status entries of one unit of work (a request): overrides, the history, changed credit limits. */
export class CreditService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly evaluator: CreditEvaluator,
    private readonly customers: CustomerService,
  ) {}

  /** The date evaluations outside a judgement take: the overdue engine's, or today before the first scan. */
  private async evaluationDate(em: EntityManager): Promise<LocalDate> {
    return (await ENGINE_DATE.maybeOne(em)) ?? this.clock.today();
  }

  /** After a change to these customers (their credit limit) committed. */
  async reevaluateCustomers(customerIds: readonly string[]): Promise<void> {
    if (customerIds.length === 0) return;
    await this.em.fork().transactional(async (em) => {
      await lockEventStream(em);
      await this.evaluator.evaluate(em, await this.evaluationDate(em), { ids: customerIds });
    });
  }

  /**
   * Sets a manual status until a date (the rules apply again from `until` on), or with
   * `status` null ends the override in force. MANAGER (and ADMIN). Recorded in the history
   * whether or not the effective status changes; an event when it does.
   */
  async override(principal: Principal, customerId: string, status: CreditStatus | null, reason: string, until: LocalDate | null): Promise<void> {
    requireAccess(principal, Permission.CREDIT_OVERRIDE, 'Only managers override a credit status');
    const trimmed = reason.trim();
    if (!trimmed) throw badInput('reason', 'a reason is required', CreditErrorReason.CREDIT_OVERRIDE_REASON_REQUIRED);
    if (trimmed.length > MAX_OVERRIDE_REASON_LENGTH) {
      throw badInput('reason', `reason must have at most ${MAX_OVERRIDE_REASON_LENGTH} characters`, CoreErrorReason.TEXT_LENGTH);
    }
    const today = this.clock.today();
    if (status !== null) {
      if (until === null)
        throw badInput('until', 'until is required: the business date the rules apply again', CreditErrorReason.CREDIT_OVERRIDE_UNTIL_REQUIRED);
      if (!isAfter(until, today)) {
        throw badInput(
          'until',
          `until must lie after today (${today}): it is the first day the rules apply again`,
          CreditErrorReason.CREDIT_OVERRIDE_UNTIL_NOT_AFTER_TODAY,
        );
      }
    } else if (until !== null) {
      throw badInput('until', 'clearing an override (status null) takes no until', CreditErrorReason.CREDIT_OVERRIDE_UNTIL_NOT_ALLOWED);
    }
    const customer = await this.customers.getVisible(principal, customerId, 'customerId');
    await this.em.fork().transactional(async (em) => {
      // Row locks first, then the stream's lock (the ledger's order: overdue.append.ts).
      await LOCK_CUSTOMER.one(em, { customerId: customer.id });
      await lockEventStream(em);
      const ended = await END_OVERRIDE.run(em, {
        customerId: customer.id,
        kind: status === null ? 'CLEARED' : 'REPLACED',
        actorId: principal.userId,
        today,
      });
      if (status === null && ended === 0)
        throw conflict('the customer has no credit status override in force', CreditErrorReason.NO_CREDIT_OVERRIDE, 'customerId');
      if (status !== null) {
        await INSERT_OVERRIDE.run(em, { id: randomUUID(), customerId: customer.id, status, reason: trimmed, until: until!, actorId: principal.userId, today });
      }
      const action: Action = {
        kind: status === null ? CreditStatusChangeKind.OVERRIDE_CLEARED : CreditStatusChangeKind.OVERRIDE_SET,
        customerId: customer.id,
        actorId: principal.userId,
        reason: trimmed,
        until,
      };
      await this.evaluator.evaluate(em, await this.evaluationDate(em), { ids: [customer.id] }, action);
    });
  }

  /** A page of the customer's history, newest first (NOT_FOUND for a customer the caller may not see). */
  async history(
    principal: Principal,
    customerId: string,
    first: number | undefined,
    after: string | undefined,
    count: boolean,
  ): Promise<Page<CreditStatusChange>> {
    const customer = await this.customers.getVisible(principal, customerId, 'customerId');
    return historyPage(this.em, customer.id, pageSize(first), after, count);
  }
}

/** The figures a reason quotes. */
interface Figures {
  highestStage: number | null;
  overdue: bigint;
  creditLimit: bigint;
  brokenPromises: number;
}

/** The share `percent` of a limit, in cents, rounded up: the least overdue amount that reaches it. */
function shareOf(limit: bigint, percent: number): bigint {
  const scaled = limit * BigInt(percent);
  return (scaled + 99n) / 100n;
}

/** The stored reason codes (`RULE:STATUS`) as the API explains them, with the thresholds of `rules`. */
export function creditReasons(codes: readonly string[], figures: Figures, rules: CreditRules): CreditStatusReason[] {
  return codes.map((code) => {
    const [rule, status] = code.split(':') as [CreditRule, CreditStatus];
    const hold = status === CreditStatus.HOLD;
    const reason = Object.assign(new CreditStatusReason(), { rule, status });
    switch (rule) {
      case CreditRule.OVERDUE_STAGE: {
        const threshold = String((hold ? rules.holdStage : rules.warnStage) ?? '');
        return Object.assign(reason, {
          actual: String(figures.highestStage ?? ''),
          threshold,
          description: `highest overdue stage ${figures.highestStage} reached (${status} from stage ${threshold})`,
        });
      }
      case CreditRule.OVERDUE_AMOUNT: {
        const percent = (hold ? rules.holdOverduePercent : rules.warnOverduePercent) ?? 0;
        const threshold = formatMoney(shareOf(figures.creditLimit, percent));
        return Object.assign(reason, {
          actual: formatMoney(figures.overdue),
          threshold,
          description: `overdue ${formatMoney(figures.overdue)} reaches ${percent}% of the credit limit ${formatMoney(figures.creditLimit)} (${threshold}; ${status})`,
        });
      }
      case CreditRule.BROKEN_PROMISES: {
        const threshold = String((hold ? rules.holdBrokenPromises : rules.warnBrokenPromises) ?? '');
        return Object.assign(reason, {
          actual: String(figures.brokenPromises),
          threshold,
          description: `${figures.brokenPromises} promise(s) to pay broken in the last ${rules.brokenPromiseDays} days (${status} from ${threshold})`,
        });
      }
    }
  });
}
