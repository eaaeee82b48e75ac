/**
 * The contact log: what was done to collect from a customer and what the customer said.
 * Activities are captured on phones, often offline: `occurredAt` is the phone's time
 * (not in the future, at most ACTIVITY_BACKDATE_DAYS back) and an idempotency key makes a
 * retried upload answer the first one instead of logging twice. An outcome's details
 * (PROMISED: the promise; DISPUTED: the dispute) are handled in the same transaction by
 * the area that owns them, plugged in through ACTIVITY_OUTCOME_HANDLERS, so this area
 * imports none of them.
 */
import { createHash, randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { Principal } from '../../core/auth';
import { Permission, canSeeCustomerOwnedBy, ownerScope, requireAccess } from '../../core/access';
import { Clock } from '../../core/clock';
import { badInput, conflict, CoreErrorReason, notFound } from '../../core/errors';
import { ExtensionPoint } from '../../core/extension-points';
import { textProblem } from '../../core/input-guards';
import { addDays, assertDateRange, isAfter, isBefore, localDateAt, type LocalDate } from '../../core/local-date';
import { formatMoney } from '../../core/money';
import { Page, pageSize } from '../../core/pagination';
import { isUuid } from '../../db/sql';
import { CustomerService } from '../customers/customer.service';
import type { LedgerEvents } from '../../core/ledger-events';
import { loadBusinessCalendar } from '../calendar/calendar.service';
import { PaymentErrorReason } from '../payments/payment.errors';
import { storePaymentNotice } from '../receivables/receivable.service';
import { ActivityErrorReason } from './activity.errors';
import { ACTIVITY_BY_KEY, activityPage, CUSTOMERS_OF_RECEIVABLES, INSERT_ACTIVITY, LINK_NOTICES, uuidArray, type NewActivity } from './activity.queries';
import { ActivityOutcome, CollectionActivity, LogCollectionActivityInput } from './activity.types';

/** What an outcome handler is given: the activity just stored, in its transaction. */
export interface ActivityOutcomeRun {
  /** The activity's transaction: what the handler writes commits or rolls back with it. */
  em: EntityManager;
  principal: Principal;
  activity: CollectionActivity;
  input: LogCollectionActivityInput;
  today: LocalDate;
}

/**
 * Acts on an outcome's details in the activity's transaction (the promises area: PROMISED;
 * the disputes area: DISPUTED). A domain error it throws refuses the whole call: nothing is
 * stored.
 */
export interface ActivityOutcomeHandler {
  outcome: ActivityOutcome;
  apply(run: ActivityOutcomeRun): Promise<void>;
}

/** Higher areas add their handlers here in their `setup`. */
export const ACTIVITY_OUTCOME_HANDLERS = new ExtensionPoint<ActivityOutcomeHandler>('activities.outcomeHandlers');

export const MAX_NOTE = 2000;
const MAX_KEY = 200;
const MAX_RECEIVABLES = 50;
/** Phones' clocks drift: an occurredAt this far ahead of the server's clock still counts as now. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface ActivityRules {
  timeZone: string;
  backdateDays: number;
  /** PAYMENT_NOTICE_HOLD_DAYS: a CLAIMS_PAID activity holds the alarm like reportPaymentNotice. */
  paymentNoticeHoldDays: number;
}

type StoredActivity = CollectionActivity & { contentHash: string | null };

export class ActivityService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly customers: CustomerService,
    private readonly rules: ActivityRules,
    private readonly handlers: readonly ActivityOutcomeHandler[],
    private readonly events: LedgerEvents,
  ) {}

  async log(principal: Principal, input: LogCollectionActivityInput): Promise<CollectionActivity> {
    requireAccess(principal, Permission.COLLECTION_LOG, 'Your role does not log collection activities');
    const note = (input.note ?? '').trim();
    if (note.length > MAX_NOTE) throw badInput('input.note', `note must have at most ${MAX_NOTE} characters`, CoreErrorReason.TEXT_LENGTH);
    const key = input.idempotencyKey?.trim() || null;
    if (key !== null && (key.length > MAX_KEY || textProblem(key, MAX_KEY)))
      throw badInput('input.idempotencyKey', `idempotencyKey must have 1 to ${MAX_KEY} characters`, CoreErrorReason.TEXT_LENGTH);
    const receivableIds = [...new Set(input.receivableIds ?? [])].sort();
    if (receivableIds.length > MAX_RECEIVABLES)
      throw badInput('input.receivableIds', `at most ${MAX_RECEIVABLES} receivables per activity`, CoreErrorReason.OUT_OF_RANGE);
    const occurredAt = input.occurredAt;
    if (Number.isNaN(occurredAt.getTime())) throw badInput('input.occurredAt', 'occurredAt is not an instant', CoreErrorReason.INVALID_FORMAT);
    const nextActionOn = input.nextActionOn ?? null;
    if (input.claimedPaidOn !== undefined && input.claimedPaidOn !== null && input.outcome !== ActivityOutcome.CLAIMS_PAID)
      throw badInput('input.claimedPaidOn', 'claimedPaidOn is given with outcome CLAIMS_PAID only', ActivityErrorReason.OUTCOME_DETAILS_MISMATCH);
    const contentHash = hashContent(input, note, receivableIds, nextActionOn);
    // A retry answers the first upload even when it comes later than a new activity could
    // (a phone offline for longer than ACTIVITY_BACKDATE_DAYS): checked before the dates.
    if (key !== null) {
      const earlier = await this.retried(principal, key, contentHash);
      if (earlier) return earlier;
    }
    const now = this.clock.now();
    const today = this.clock.today();
    if (occurredAt.getTime() > now.getTime() + CLOCK_SKEW_MS)
      throw badInput('input.occurredAt', `occurredAt ${occurredAt.toISOString()} is in the future`, CoreErrorReason.DATE_IN_FUTURE);
    const occurredOn = localDateAt(occurredAt, this.rules.timeZone);
    const earliest = addDays(today, -this.rules.backdateDays);
    if (isBefore(occurredOn, earliest))
      throw badInput(
        'input.occurredAt',
        `occurredAt ${occurredOn} is more than ${this.rules.backdateDays} days back (the earliest is ${earliest})`,
        ActivityErrorReason.ACTIVITY_TOO_OLD,
      );
    if (nextActionOn !== null && isBefore(nextActionOn, occurredOn))
      throw badInput('input.nextActionOn', 'nextActionOn must not be before the day the activity occurred', ActivityErrorReason.NEXT_ACTION_BEFORE_ACTIVITY);
    const claimedPaidOn = input.claimedPaidOn ?? occurredOn;
    if (isAfter(claimedPaidOn, today)) throw badInput('input.claimedPaidOn', 'claimedPaidOn must not be in the future', CoreErrorReason.DATE_IN_FUTURE);
    const handler = this.handlerFor(input);
    const customer = await this.customers.getVisible(principal, input.customerId, 'input.customerId');
    let found: { id: string; customerId: string; outstanding: bigint }[] = [];
    if (receivableIds.length > 0) {
      found = receivableIds.every(isUuid) ? await CUSTOMERS_OF_RECEIVABLES.all(this.em, { ids: uuidArray(receivableIds) }) : [];
      for (const id of receivableIds) {
        const row = found.find((r) => r.id === id);
        // Another salesperson's receivable is not disclosed: the same answer as a missing one.
        if (!row || (row.customerId !== customer.id && !(await this.customers.canSee(principal, row.customerId))))
          throw notFound('Receivable', id, 'input.receivableIds');
        if (row.customerId !== customer.id)
          throw badInput('input.receivableIds', `Receivable ${id} belongs to another customer`, ActivityErrorReason.RECEIVABLE_OF_OTHER_CUSTOMER);
      }
    }
    // CLAIMS_PAID holds the alarm of every named receivable that still has money outstanding,
    // by the rule of reportPaymentNotice (storePaymentNotice), in the activity's transaction.
    const held = input.outcome === ActivityOutcome.CLAIMS_PAID ? found.filter((r) => r.outstanding > 0n).map((r) => r.id) : [];
    const calendar = held.length > 0 ? await loadBusinessCalendar(this.em) : undefined;
    const stored = await this.em.transactional(async (em) => {
      const activity = await insertActivity(em, {
        id: randomUUID(),
        customerId: customer.id,
        kind: input.kind,
        outcome: input.outcome,
        note,
        receivableIds: uuidArray(receivableIds),
        occurredAt,
        occurredOn,
        nextActionOn,
        recordedById: principal.userId,
        idempotencyKey: key,
        contentHash,
      });
      // A concurrent retry with the same key stored first: answered below, outside this transaction.
      if (!activity) return null;
      const noticeIds: string[] = [];
      for (const receivableId of held) {
        const notice = await storePaymentNotice(em, calendar!, this.rules.paymentNoticeHoldDays, {
          receivableId,
          reportedById: principal.userId,
          claimedPaidOn,
          note,
          today,
        });
        noticeIds.push(notice.id);
      }
      if (noticeIds.length > 0) await LINK_NOTICES.run(em, { activityId: activity.id, noticeIds: uuidArray(noticeIds) });
      if (handler) await handler.apply({ em, principal, activity, input, today });
      return activity;
    });
    if (stored) {
      // Judged at once as of the engine's date, like every ledger change (the notices' and a dispute's triggers marked them).
      const changed = new Set(held);
      if (input.dispute && input.outcome === ActivityOutcome.DISPUTED) changed.add(input.dispute.receivableId);
      await this.events.receivablesChanged([...changed]);
      return stored;
    }
    const earlier = key === null ? undefined : await this.retried(principal, key, contentHash);
    if (!earlier) throw new Error('an activity with this idempotency key vanished');
    return earlier;
  }

  list(
    principal: Principal,
    args: { customerId?: string; from?: LocalDate; to?: LocalDate; first?: number; after?: string },
    count: boolean,
  ): Promise<Page<CollectionActivity>> {
    requireAccess(principal, Permission.COLLECTION_READ);
    if (args.from && args.to) assertDateRange(args.from, args.to);
    return activityPage(this.em, {
      ownerScope: ownerScope(principal),
      customerId: args.customerId,
      from: args.from,
      to: args.to,
      first: pageSize(args.first),
      after: args.after,
      count,
    });
  }

  /** Whether the caller sees an activity's customer (and so the activity). */
  visible(principal: Principal, ownerId: string): boolean {
    return canSeeCustomerOwnedBy(principal, ownerId);
  }

  /** The handler of the outcome's details, after checking they fit the outcome. */
  private handlerFor(input: LogCollectionActivityInput): ActivityOutcomeHandler | undefined {
    if (input.promise && input.outcome !== ActivityOutcome.PROMISED)
      throw badInput('input.promise', 'promise is given with outcome PROMISED only', ActivityErrorReason.OUTCOME_DETAILS_MISMATCH);
    if (input.dispute && input.outcome !== ActivityOutcome.DISPUTED)
      throw badInput('input.dispute', 'dispute is given with outcome DISPUTED only', ActivityErrorReason.OUTCOME_DETAILS_MISMATCH);
    if (input.outcome === ActivityOutcome.PROMISED && !input.promise)
      throw badInput('input.promise', 'outcome PROMISED needs the promise (amount, promisedOn)', ActivityErrorReason.OUTCOME_DETAILS_MISMATCH);
    if (!input.promise && !input.dispute) return undefined;
    const handler = this.handlers.find((h) => h.outcome === input.outcome);
    if (!handler) {
      const field = input.promise ? 'input.promise' : 'input.dispute';
      throw badInput(
        field,
        `${input.outcome === ActivityOutcome.DISPUTED ? 'dispute' : 'promise'} fields are not supported yet`,
        ActivityErrorReason.OUTCOME_NOT_SUPPORTED,
      );
    }
    return handler;
  }

  /** The activity stored first under this key, when the content is the same; CONFLICT when it is not. */
  private async retried(principal: Principal, key: string, contentHash: string): Promise<StoredActivity | undefined> {
    const earlier = await ACTIVITY_BY_KEY.maybeOne(this.em, { recordedById: principal.userId, key });
    if (earlier && earlier.contentHash !== contentHash) {
      throw conflict('This idempotencyKey was used for a different activity', PaymentErrorReason.IDEMPOTENCY_KEY_REUSED, 'input.idempotencyKey');
    }
    return earlier;
  }
}

/**
 * Records the CLAIMS_PAID activity of a payment notice, in the notice's transaction
 * (reportPaymentNotice): it happened when reported, and says nothing about how the
 * customer was reached (no kind).
 */
export async function recordNoticeActivity(
  em: EntityManager,
  clock: Clock,
  principal: Principal,
  notice: { id: string; receivableId: string; customerId: string; note: string; createdOn: LocalDate },
): Promise<void> {
  const activity = await insertActivity(em, {
    id: randomUUID(),
    customerId: notice.customerId,
    kind: null,
    outcome: ActivityOutcome.CLAIMS_PAID,
    note: notice.note,
    receivableIds: uuidArray([notice.receivableId]),
    occurredAt: clock.now(),
    occurredOn: notice.createdOn,
    nextActionOn: null,
    recordedById: principal.userId,
    idempotencyKey: null,
    contentHash: null,
  });
  await LINK_NOTICES.run(em, { activityId: activity!.id, noticeIds: uuidArray([notice.id]) });
}

async function insertActivity(em: EntityManager, activity: NewActivity): Promise<StoredActivity | undefined> {
  return INSERT_ACTIVITY.maybeOne(em, activity);
}

/** What makes two uploads "the same activity": everything the caller sent, normalised. */
function hashContent(input: LogCollectionActivityInput, note: string, receivableIds: string[], nextActionOn: LocalDate | null): string {
  const content = [
    input.customerId,
    receivableIds,
    input.kind,
    input.outcome,
    note,
    input.occurredAt.toISOString(),
    nextActionOn,
    input.promise ? [formatMoney(input.promise.amount), input.promise.promisedOn] : null,
    input.dispute ? [input.dispute.receivableId, formatMoney(input.dispute.amount), input.dispute.category, input.dispute.reason] : null,
    // Only when given, so the hashes of activities stored before the field existed still match their retries.
    ...(input.claimedPaidOn ? [input.claimedPaidOn] : []),
  ];
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}
