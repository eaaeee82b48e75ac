/**
 * Disputes: opening (the amount leaves the chase but stays in every figure) and resolving
 * (a credit of what the customer was right about, the rest back into the chase). Each
 * change is one transaction holding the receivable's row lock, so two disputes opened at
 * once never dispute more than is outstanding; the dispute table's trigger writes the
 * dispute's freeze into the overdue engine's own table (overdue_freeze, whose trigger
 * marks the receivable) in the same transaction, and after commit it is
 * judged again as of the engine's date (ledger events), like a payment notice.
 */
import { EntityManager, LockMode } from '@mikro-orm/postgresql';
import { Permission, ownerScope, requireAccess } from '../../core/access';
import { Principal } from '../../core/auth';
import { Clock } from '../../core/clock';
import { type LocalDate } from '../../core/local-date';
import { badInput, conflict, CoreErrorReason } from '../../core/errors';
import type { LedgerEvents } from '../../core/ledger-events';
import { type Cents, formatMoney, minCents } from '../../core/money';
import { Page, pageSize } from '../../core/pagination';
import { findVisible, getVisible } from '../../db/find';
import { Customer } from '../customers/customer.entity';
import { CustomerService } from '../customers/customer.service';
import { appendOverdueEvent, lockEventStream } from '../overdue/overdue.append';
import { OverdueEventType } from '../overdue/overdue.types';
import { Receivable } from '../receivables/receivable.entity';
import { ReceivableService } from '../receivables/receivable.service';
import { Dispute, DisputeCategory, DisputeOutcome, DisputeState } from './dispute.entity';
import { DisputeErrorReason } from './dispute.errors';
import { disputePage, OPEN_DISPUTED } from './dispute.queries';
import { DisputeFilter, OpenDisputeInput } from './dispute.types';

const MAX_TEXT = 2000;

function text(value: string, field: string, what: string): string {
  const trimmed = value.trim();
  if (!trimmed || trimmed.length > MAX_TEXT) throw badInput(field, `${what} must have 1 to ${MAX_TEXT} characters`, CoreErrorReason.TEXT_LENGTH);
  return trimmed;
}

export class DisputeService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly receivables: ReceivableService,
    private readonly customers: CustomerService,
    private readonly events: LedgerEvents,
  ) {}

  /** The dispute if the caller may see its customer; NOT_FOUND otherwise (existence is not disclosed). */
  getVisible(principal: Principal, id: string, field = 'id'): Promise<Dispute> {
    return getVisible(this.em, Dispute, id, (d) => this.customers.canSee(principal, d.customerId), 'Dispute', field);
  }

  /** The `dispute(id)` query: null when missing or hidden, the same for both. */
  findVisible(principal: Principal, id: string): Promise<Dispute | null> {
    return findVisible(this.em, Dispute, id, (d) => this.customers.canSee(principal, d.customerId));
  }

  list(principal: Principal, filter: DisputeFilter | undefined, first: number | undefined, after: string | undefined, count: boolean): Promise<Page<Dispute>> {
    return disputePage(this.em, { ownerScope: ownerScope(principal), filter, first: pageSize(first), after, count });
  }

  /**
   * Opens a dispute of `amount` on a receivable the caller may see (SALES: own customers).
   * The amount must be above zero and at most what is outstanding today minus what open
   * disputes already cover.
   */
  async open(principal: Principal, input: OpenDisputeInput): Promise<Dispute> {
    requireAccess(principal, Permission.DISPUTE_OPEN, 'Salespeople (own customers) and finance open disputes');
    const reason = text(input.reason, 'input.reason', 'reason');
    if (input.amount <= 0n) throw badInput('input.amount', 'amount must be greater than zero', CoreErrorReason.OUT_OF_RANGE);
    const visible = await this.receivables.getVisible(principal, input.receivableId, 'input.receivableId');
    const dispute = await this.em.transactional((em) =>
      openDisputeIn(em, this.clock.today(), this.clock.now(), principal, visible.id, visible.customerId, { ...input, reason }, 'input.amount'),
    );
    await this.events.receivablesChanged([dispute.receivableId]);
    return dispute;
  }

  /**
   * Resolves an open dispute once (a second time is a CONFLICT): VALID credits the
   * disputed amount, at most what is still outstanding (money paid since stays paid);
   * PARTIAL credits `amount` (above zero, below the disputed amount, at most what is
   * outstanding); INVALID credits nothing. The rest is back in the chase from today.
   */
  async resolve(principal: Principal, id: string, outcome: DisputeOutcome, note: string, amount: Cents | null | undefined): Promise<Dispute> {
    requireAccess(principal, Permission.DISPUTE_RESOLVE, 'Finance and managers resolve disputes');
    const resolutionNote = text(note, 'note', 'note');
    if (outcome !== DisputeOutcome.PARTIAL && amount !== null && amount !== undefined)
      throw badInput('amount', 'only a PARTIAL resolution takes an amount', DisputeErrorReason.AMOUNT_ONLY_FOR_PARTIAL);
    if (outcome === DisputeOutcome.PARTIAL && (amount === null || amount === undefined || amount <= 0n))
      throw badInput('amount', 'a PARTIAL resolution needs the amount to credit, above zero', DisputeErrorReason.PARTIAL_AMOUNT_INVALID);
    const { customerId } = await this.getVisible(principal, id);
    const resolved = await this.em.transactional(async (em) => {
      await lockInLedgerOrder(em, customerId);
      const dispute = await em.findOneOrFail(Dispute, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      if (dispute.state !== DisputeState.OPEN)
        throw conflict(`The dispute was already resolved on ${dispute.resolvedOn} (${dispute.outcome})`, DisputeErrorReason.DISPUTE_ALREADY_RESOLVED, 'id');
      if (outcome === DisputeOutcome.PARTIAL && amount! >= dispute.amount)
        throw badInput(
          'amount',
          `a PARTIAL credit must be below the disputed ${formatMoney(dispute.amount)} (use VALID for all of it)`,
          DisputeErrorReason.PARTIAL_AMOUNT_INVALID,
        );
      const receivable = await em.findOneOrFail(Receivable, { id: dispute.receivableId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      await lockEventStream(em);
      const credit = outcome === DisputeOutcome.VALID ? minCents(dispute.amount, receivable.outstanding) : outcome === DisputeOutcome.PARTIAL ? amount! : 0n;
      if (credit > 0n) {
        const granted = await this.receivables.grantCredit(em, receivable.id, credit, `dispute ${outcome}: ${resolutionNote}`, principal.userId);
        dispute.creditId = granted.id;
      }
      dispute.state = DisputeState.RESOLVED;
      dispute.outcome = outcome;
      dispute.creditedAmount = credit;
      dispute.resolutionNote = resolutionNote;
      dispute.resolvedOn = this.clock.today();
      dispute.resolvedAt = this.clock.now();
      dispute.resolvedById = principal.userId;
      await em.flush();
      await appendOverdueEvent(em, {
        type: OverdueEventType.DISPUTE_RESOLVED,
        customerId: dispute.customerId,
        receivableId: dispute.receivableId,
        disputeId: dispute.id,
        state: outcome,
        previousState: DisputeState.OPEN,
        amount: credit,
        detail: `dispute of ${formatMoney(dispute.amount)} on ${receivable.reference} resolved ${outcome}, ${formatMoney(credit)} credited: ${resolutionNote}`,
        asOf: dispute.resolvedOn,
      });
      return dispute;
    });
    await this.events.receivablesChanged([resolved.receivableId]);
    return resolved;
  }
}

/**
 * Takes the locks a dispute's transaction needs in the ledger's order: the customer's row
 * first (as a payment booking does; the dispute's deferred foreign key to the customer
 * would otherwise wait for a booking's lock at commit while the booking waits for the
 * receivable), then — by the caller — the receivable's (and the dispute's) row, then the
 * event stream's lock, before anything fires a trigger that takes it shared. Ledger
 * writers take the stream's lock (shared, by trigger) only when they write, after their
 * row locks, so no two transactions wait for each other in a circle.
 */
async function lockInLedgerOrder(em: EntityManager, customerId: string): Promise<void> {
  await em.findOneOrFail(Customer, { id: customerId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
}

/**
 * Opens a dispute inside the caller's transaction (`em`): `openDispute`, and a DISPUTED
 * collection activity (its handler). The caller checked who may and that the receivable
 * belongs to `customerId`; the amount is checked here against what is free under the locks.
 * The dispute's trigger freezes its amount for the overdue engine (overdue_freeze).
 */
export async function openDisputeIn(
  em: EntityManager,
  today: LocalDate,
  now: Date,
  principal: Principal,
  receivableId: string,
  customerId: string,
  input: { amount: Cents; category: DisputeCategory; reason: string },
  amountField: string,
): Promise<Dispute> {
  await lockInLedgerOrder(em, customerId);
  const receivable = await em.findOneOrFail(Receivable, { id: receivableId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  await lockEventStream(em);
  const undisputed = receivable.outstanding - (await OPEN_DISPUTED.one(em, { receivableId: receivable.id }));
  if (input.amount > undisputed) {
    throw badInput(
      amountField,
      `amount exceeds what is outstanding and not yet disputed on ${receivable.reference} (${formatMoney(undisputed > 0n ? undisputed : 0n)})`,
      DisputeErrorReason.DISPUTE_EXCEEDS_OUTSTANDING,
    );
  }
  const opened = em.create(Dispute, {
    receivableId: receivable.id,
    customerId: receivable.customerId,
    amount: input.amount,
    category: input.category,
    reason: input.reason,
    openedOn: today,
    openedAt: now,
    openedById: principal.userId,
  });
  await em.flush();
  await appendOverdueEvent(em, {
    type: OverdueEventType.DISPUTE_OPENED,
    customerId: receivable.customerId,
    receivableId: receivable.id,
    disputeId: opened.id,
    state: DisputeState.OPEN,
    amount: opened.amount,
    detail: `${formatMoney(opened.amount)} of ${receivable.reference} disputed (${opened.category}): ${input.reason}`,
    asOf: today,
  });
  return opened;
}

/** `reason` trimmed and checked (1–2000 characters), for callers outside this file. */
export function disputeReason(value: string, field: string): string {
  return text(value, field, 'reason');
}
