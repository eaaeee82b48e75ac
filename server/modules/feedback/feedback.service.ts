/**
 * Front-line feedback: submitting and amending reports, the compliance record, reminder
 * events, the item workflow and improvement proposals, and role-scoped reads.
 *
 * Anonymity is enforced here and in the schema, never by the auth checker (which lets
 * ADMIN pass everywhere):
 * - an anonymous report is written with no author row, no date and a random id; the
 *   compliance row is written in the same transaction but shares no key with it;
 * - every write of a period rewrites all report, item, author and compliance rows of
 *   that period in one statement each, ordered by random id (reports, items), report id
 *   (authors) or user id (compliance). So the live rows' system columns (xmin, cmin,
 *   ctid) are the same for all rows of the period, or ordered by something unrelated to
 *   who submitted when: the submitting transaction's id is on every row of the period,
 *   not on one person's compliance row and their report only. (Writing the report and
 *   the compliance row in two transactions would not do: consecutive transaction ids
 *   pair them as well, and "one report per person" could no longer be one atomic check.)
 * - the rewrite leaves dead row versions carrying each submission's own xmin; once the
 *   transaction has ended (committed or not), `SubmissionVacuum` removes them with VACUUM
 *   from the background pool (feedback.vacuum.ts);
 * - the only handle to an anonymous report is the receipt's secret, stored as SHA-256;
 * - every "already submitted" refusal is one message that names no report.
 */
import { Permission, can, requireAccess, rolesWith } from '../../core/access';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { Principal } from '../../core/auth';
import { Clock } from '../../core/clock';
import { badInput, conflict, notFound, CoreErrorReason } from '../../core/errors';
import { type LocalDate, assertDateRange } from '../../core/local-date';
import { Page, pageSize } from '../../core/pagination';
import { isUuid } from '../../db/sql';
import { CustomerService } from '../customers/customer.service';
import { ReceivableService } from '../receivables/receivable.service';
import { FeedbackItem, FeedbackReport } from './feedback-report.entity';
import { DECISION_STATUS, FeedbackPeriod, FeedbackStatus, ProposalDecision, ProposalStatus } from './feedback.enums';
import {
  ComplianceEntry,
  CreateProposalInput,
  FeedbackFilter,
  FeedbackReceipt,
  FeedbackReminder,
  FeedbackSummary,
  SubmitFeedbackInput,
} from './feedback.types';
import {
  AMEND_REPORT,
  ASSIGN_ITEMS_TO_PROPOSAL,
  COMPLIANCE,
  DECIDE_PROPOSAL,
  DELETE_ITEMS_OF_REPORT,
  ESCALATE_PROPOSAL,
  feedbackReportPage,
  feedbackSummary,
  HAS_SUBMITTED,
  INSERT_AUTHOR,
  INSERT_COMPLIANCE,
  INSERT_ITEM,
  INSERT_PROPOSAL,
  INSERT_REMINDERS,
  INSERT_REPORT,
  ITEM_FOR_UPDATE,
  ITEMS_FOR_UPDATE,
  MOVE_ITEMS,
  NAMED_REPORT_OF_USER,
  PROPOSAL_ITEMS_FOR_UPDATE,
  PROPOSAL_STATUS_FOR_UPDATE,
  REPORT_BY_SECRET,
  REPORT_IN_REVIEW,
  REWRITE_PERIOD_AUTHORS,
  REWRITE_PERIOD_COMPLIANCE,
  REWRITE_PERIOD_ITEMS,
  REWRITE_PERIOD_REPORTS,
} from './feedback.queries';
import { validatePeriodStart } from './feedback.periods';
import { ImprovementProposal } from './improvement-proposal.entity';
import { lockForTransaction } from '../../db/locks';
import { FeedbackErrorReason } from './feedback.errors';

const MAX_ITEMS = 30;
const MAX_SOLVED = 20;
const MAX_TEXT = 2000;
const MAX_HOURS = 744;
/** Longest feedbackSummary window, both ends included: three years, like the collection statistics. */
export const MAX_SUMMARY_DAYS = 1096;
const SECRET_PREFIX = 'fbs_';

const ALREADY_SUBMITTED =
  'You have already submitted a report for this period. A named report is amended by submitting it named again; ' +
  'an anonymous report only with the amendSecret of its receipt.';

/** Triage may set these, from these states; ESCALATED and DECIDED come from proposals. */
const TRIAGE_TRANSITIONS: Partial<Record<FeedbackStatus, FeedbackStatus[]>> = {
  [FeedbackStatus.IN_REVIEW]: [FeedbackStatus.SUBMITTED],
  [FeedbackStatus.REJECTED]: [FeedbackStatus.SUBMITTED, FeedbackStatus.IN_REVIEW, FeedbackStatus.DECIDED],
  [FeedbackStatus.RESOLVED]: [FeedbackStatus.DECIDED],
};

export function hashAmendSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function cleanText(value: string, field: string, max: number, what: string): string {
  const text = value.trim();
  if (text.length < 1 || text.length > max) throw badInput(field, `${what} must have 1 to ${max} characters`, CoreErrorReason.TEXT_LENGTH);
  return text;
}

function cleanNote(note: string | null | undefined, field: string): string | null {
  const text = note?.trim() ?? '';
  if (text.length > MAX_TEXT) throw badInput(field, `${field} must have at most ${MAX_TEXT} characters`, CoreErrorReason.TEXT_LENGTH);
  return text || null;
}

interface CleanItem {
  kind: string;
  category: string;
  severity: string;
  text: string;
  customerId: string | null;
  receivableId: string | null;
}

export class FeedbackService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly customers: CustomerService,
    private readonly receivables: ReceivableService,
    /** Removes the dead row versions of a submission after its transaction; see the header. */
    private readonly afterSubmission: () => void = () => undefined,
  ) {}

  // ── Submission ────────────────────────────────────────────────────────────────

  async submit(principal: Principal, input: SubmitFeedbackInput): Promise<FeedbackReceipt> {
    const today = this.clock.today();
    validatePeriodStart(input.period, input.periodStart, today, 'input.periodStart');
    const hours = input.hoursSaved;
    if (!Number.isFinite(hours) || hours < 0 || hours > MAX_HOURS || Math.abs(hours * 100 - Math.round(hours * 100)) > 1e-6) {
      throw badInput('input.hoursSaved', `hoursSaved must be between 0 and ${MAX_HOURS} with at most two decimals`, CoreErrorReason.OUT_OF_RANGE);
    }
    const solved = input.solvedProblems ?? [];
    if (solved.length > MAX_SOLVED) throw badInput('input.solvedProblems', `at most ${MAX_SOLVED} solved problems`, CoreErrorReason.OUT_OF_RANGE);
    const solvedProblems = solved.map((s, i) => cleanText(s, `input.solvedProblems.${i}`, MAX_TEXT, 'a solved problem'));
    const items = await this.cleanItems(principal, input);
    const secret = input.amendSecret ?? undefined;
    if (secret !== undefined && !input.anonymous) {
      throw badInput('input.anonymous', 'An anonymous report stays anonymous: amend it with anonymous: true', FeedbackErrorReason.ANONYMITY_FIXED);
    }

    try {
      return await this.submitInTransaction(principal, input, { secret, solvedProblems, hours, items, today });
    } finally {
      // Also after a rollback: an aborted insert leaves dead versions under one xmin too.
      this.afterSubmission();
    }
  }

  private submitInTransaction(
    principal: Principal,
    input: SubmitFeedbackInput,
    {
      secret,
      solvedProblems,
      hours,
      items,
      today,
    }: { secret: string | undefined; solvedProblems: string[]; hours: number; items: CleanItem[]; today: LocalDate },
  ): Promise<FeedbackReceipt> {
    return this.em.transactional(async (em) => {
      // One writer per period: the checks below and the rewrite of the period are serialised.
      await lockForTransaction(em, `feedback:${input.period}:${input.periodStart}`);
      const periodKey = { period: input.period, periodStart: input.periodStart };
      let reportId: string;
      let amended = false;
      let receiptSecret: string | null = null;

      if (secret !== undefined) {
        const found = await REPORT_BY_SECRET.maybeOne(em, { ...periodKey, secretHash: hashAmendSecret(secret) });
        if (!found) throw badInput('input.amendSecret', 'This amendSecret does not open a report of this period', FeedbackErrorReason.INVALID_AMEND_SECRET);
        reportId = found;
        amended = true;
        receiptSecret = secret;
      } else {
        const named = await NAMED_REPORT_OF_USER.maybeOne(em, { ...periodKey, userId: principal.userId });
        const done = await HAS_SUBMITTED.one(em, { ...periodKey, userId: principal.userId });
        if (named && !input.anonymous) {
          reportId = named;
          amended = true;
        } else if (done) {
          throw conflict(ALREADY_SUBMITTED, FeedbackErrorReason.ALREADY_SUBMITTED);
        } else {
          ({ id: reportId, secret: receiptSecret } = await this.insertReport(em, principal, input, solvedProblems, hours, today));
        }
      }

      if (amended) {
        if (await REPORT_IN_REVIEW.one(em, { reportId })) {
          throw conflict('The report is already being reviewed and can no longer be amended', FeedbackErrorReason.REPORT_IN_REVIEW);
        }
        await AMEND_REPORT.run(em, { reportId, solvedProblems: JSON.stringify(solvedProblems), hoursSaved: hours.toFixed(2), today });
        await DELETE_ITEMS_OF_REPORT.run(em, { reportId });
      }
      await this.insertItems(em, reportId, input.anonymous, items);
      await this.rewritePeriod(em, input.period, input.periodStart);
      return Object.assign(new FeedbackReceipt(), {
        reportId,
        period: input.period,
        periodStart: input.periodStart,
        anonymous: input.anonymous,
        amended,
        itemCount: items.length,
        amendSecret: receiptSecret,
      });
    });
  }

  private async insertReport(
    em: EntityManager,
    principal: Principal,
    input: SubmitFeedbackInput,
    solvedProblems: string[],
    hours: number,
    today: LocalDate,
  ): Promise<{ id: string; secret: string | null }> {
    const id = randomUUID();
    // The secret is the only handle to an anonymous report; only its hash is kept.
    const secret = input.anonymous ? SECRET_PREFIX + randomBytes(32).toString('base64url') : null;
    const secretHash = secret ? hashAmendSecret(secret) : null;
    const periodKey = { period: input.period, periodStart: input.periodStart };
    await INSERT_REPORT.run(em, {
      ...periodKey,
      id,
      anonymous: input.anonymous,
      solvedProblems: JSON.stringify(solvedProblems),
      hoursSaved: hours.toFixed(2),
      submittedOn: input.anonymous ? null : today,
      secretHash,
    });
    if (!input.anonymous) await INSERT_AUTHOR.run(em, { ...periodKey, reportId: id, userId: principal.userId });
    await INSERT_COMPLIANCE.run(em, { ...periodKey, userId: principal.userId });
    return { id, secret };
  }

  private async insertItems(em: EntityManager, reportId: string, anonymous: boolean, items: CleanItem[]): Promise<void> {
    for (const [position, item] of items.entries()) {
      await INSERT_ITEM.run(em, { id: randomUUID(), reportId, anonymous, position, ...item });
    }
  }

  /**
   * Rewrites every report, item, author and compliance row of the period, each table in one
   * statement in an order unrelated to submission: afterwards the rows of the period
   * share their transaction id and command id, and their physical order follows random
   * ids (reports, items) or user ids (compliance). See the module header.
   */
  private async rewritePeriod(em: EntityManager, period: FeedbackPeriod, periodStart: LocalDate): Promise<void> {
    await REWRITE_PERIOD_REPORTS.run(em, { period, periodStart });
    await REWRITE_PERIOD_ITEMS.run(em, { period, periodStart });
    await REWRITE_PERIOD_COMPLIANCE.run(em, { period, periodStart });
    await REWRITE_PERIOD_AUTHORS.run(em, { period, periodStart });
  }

  private async cleanItems(principal: Principal, input: SubmitFeedbackInput): Promise<CleanItem[]> {
    const items = input.items ?? [];
    if (items.length > MAX_ITEMS) throw badInput('input.items', `at most ${MAX_ITEMS} items per report`, CoreErrorReason.OUT_OF_RANGE);
    const clean: CleanItem[] = [];
    for (const [i, item] of items.entries()) {
      const field = `input.items.${i}`;
      const text = cleanText(item.text, `${field}.text`, MAX_TEXT, 'text');
      let customerId: string | null = null;
      let receivableId: string | null = null;
      if (input.anonymous && (item.customerId || item.receivableId)) {
        throw badInput(
          `${field}.${item.customerId ? 'customerId' : 'receivableId'}`,
          'An anonymous report cannot link a customer or receivable: who owns it would point at you',
          FeedbackErrorReason.ANONYMOUS_LINK,
        );
      }
      if (item.receivableId) {
        const receivable = await this.receivables.getVisible(principal, item.receivableId, `${field}.receivableId`);
        receivableId = receivable.id;
        customerId = receivable.customerId;
      }
      if (item.customerId) {
        const customer = await this.customers.getVisible(principal, item.customerId, `${field}.customerId`);
        if (customerId && customerId !== customer.id) {
          throw badInput(`${field}.customerId`, 'The receivable belongs to another customer', FeedbackErrorReason.CUSTOMER_MISMATCH);
        }
        customerId = customer.id;
      }
      clean.push({ kind: item.kind, category: item.category, severity: item.severity, text, customerId, receivableId });
    }
    return clean;
  }

  // ── Reads ─────────────────────────────────────────────────────────────────────

  /** Front-line users see their own named reports only; readers see all. No author filter exists. */
  list(principal: Principal, filter: FeedbackFilter | undefined, first: number | undefined, after: string | undefined): Promise<Page<FeedbackReport>> {
    const authorId = can(principal, Permission.FEEDBACK_READ) ? undefined : principal.userId;
    return feedbackReportPage(this.em, { authorId, filter, first: pageSize(first), after });
  }

  /** Whether the caller may see this report's items and progress (readers, or its named author). */
  canReadAll(principal: Principal): boolean {
    return can(principal, Permission.FEEDBACK_READ);
  }

  async compliance(period: FeedbackPeriod, periodStart: LocalDate): Promise<ComplianceEntry[]> {
    validatePeriodStart(period, periodStart, this.clock.today(), 'periodStart');
    const rows = await COMPLIANCE.all(this.em, { period, periodStart, roles: rolesWith(Permission.FEEDBACK_SUBMIT) });
    return rows.map((r) => Object.assign(new ComplianceEntry(), r));
  }

  /**
   * Writes a reminder event for every active front-line user who has not submitted for
   * the period and has no undelivered reminder for it yet; a deliverer sends them later.
   */
  async remind(principal: Principal, period: FeedbackPeriod, periodStart: LocalDate): Promise<FeedbackReminder[]> {
    validatePeriodStart(period, periodStart, this.clock.today(), 'periodStart');
    const rows = await this.em.transactional((em) =>
      INSERT_REMINDERS.all(em, { period, periodStart, roles: rolesWith(Permission.FEEDBACK_SUBMIT), now: this.clock.now(), createdById: principal.userId }),
    );
    return rows.map((r) => Object.assign(new FeedbackReminder(), { ...r, deliveredAt: null }));
  }

  summary(from: LocalDate, to: LocalDate, period: FeedbackPeriod | undefined): Promise<FeedbackSummary> {
    assertDateRange(from, to, { maxDays: MAX_SUMMARY_DAYS });
    return feedbackSummary(this.em, from, to, period);
  }

  proposals(status: ProposalStatus | undefined): Promise<ImprovementProposal[]> {
    return this.em.find(ImprovementProposal, status ? { status } : {}, { orderBy: { createdAt: 'desc', id: 'asc' } });
  }

  // ── Workflow ──────────────────────────────────────────────────────────────────

  async triage(principal: Principal, id: string, status: FeedbackStatus, note: string | null | undefined): Promise<FeedbackItem> {
    const allowedFrom = TRIAGE_TRANSITIONS[status];
    if (!allowedFrom) {
      throw badInput(
        'status',
        'Triage sets IN_REVIEW, REJECTED or RESOLVED; ESCALATED and DECIDED follow from proposals',
        FeedbackErrorReason.STATUS_NOT_SETTABLE,
      );
    }
    const cleanedNote = cleanNote(note, 'note');
    if (status === FeedbackStatus.REJECTED && !cleanedNote) throw badInput('note', 'Say in a note why the item is rejected', FeedbackErrorReason.NOTE_REQUIRED);
    if (!isUuid(id)) throw notFound('FeedbackItem', id, 'id');
    await this.em.transactional(async (em) => {
      const item = await ITEM_FOR_UPDATE.maybeOne(em, { id });
      if (!item) throw notFound('FeedbackItem', id, 'id');
      if (!allowedFrom.includes(item.status)) {
        throw conflict(`An item in ${item.status} cannot be moved to ${status} by triage`, FeedbackErrorReason.INVALID_TRANSITION, 'status');
      }
      if (item.proposalId && item.status !== FeedbackStatus.DECIDED) {
        throw conflict('The item is part of an undecided proposal: it moves with the proposal', FeedbackErrorReason.IN_PROPOSAL, 'id');
      }
      await this.moveItems(em, [id], status, principal.userId, cleanedNote);
    });
    return this.em.findOneOrFail(FeedbackItem, { id }, { refresh: true });
  }

  async createProposal(principal: Principal, input: CreateProposalInput): Promise<ImprovementProposal> {
    const title = cleanText(input.title, 'input.title', 200, 'title');
    const description = input.description?.trim() ?? '';
    if (description.length > 5000) throw badInput('input.description', 'description must have at most 5000 characters', CoreErrorReason.TEXT_LENGTH);
    if (input.itemIds.length < 1 || input.itemIds.length > 100)
      throw badInput('input.itemIds', 'a proposal groups 1 to 100 items', CoreErrorReason.OUT_OF_RANGE);
    const seen = new Set<string>();
    input.itemIds.forEach((itemId, i) => {
      if (seen.has(itemId)) throw badInput(`input.itemIds.${i}`, 'the item is listed twice', CoreErrorReason.DUPLICATE_ENTRY);
      seen.add(itemId);
      if (!isUuid(itemId)) throw notFound('FeedbackItem', itemId, `input.itemIds.${i}`);
    });
    const id = randomUUID();
    await this.em.transactional(async (em) => {
      const rows = await ITEMS_FOR_UPDATE.all(em, { ids: input.itemIds });
      const byId = new Map(rows.map((r) => [r.id, r]));
      input.itemIds.forEach((itemId, i) => {
        const row = byId.get(itemId);
        if (!row) throw notFound('FeedbackItem', itemId, `input.itemIds.${i}`);
        if (row.proposalId || (row.status !== FeedbackStatus.SUBMITTED && row.status !== FeedbackStatus.IN_REVIEW)) {
          throw conflict(
            `Item ${itemId} is ${row.status}${row.proposalId ? ' and in a proposal' : ''}: only open items can be grouped`,
            FeedbackErrorReason.ITEM_NOT_OPEN,
            `input.itemIds.${i}`,
          );
        }
      });
      await INSERT_PROPOSAL.run(em, { id, title, description, createdById: principal.userId, now: this.clock.now() });
      const submitted = rows.filter((r) => r.status === FeedbackStatus.SUBMITTED).map((r) => r.id);
      await this.moveItems(em, submitted, FeedbackStatus.IN_REVIEW, principal.userId, `Grouped into proposal "${title}"`);
      await ASSIGN_ITEMS_TO_PROPOSAL.run(em, { proposalId: id, ids: input.itemIds });
    });
    return this.em.findOneOrFail(ImprovementProposal, { id }, { refresh: true });
  }

  async escalate(principal: Principal, id: string, note: string | null | undefined): Promise<ImprovementProposal> {
    const cleanedNote = cleanNote(note, 'note');
    await this.em.transactional(async (em) => {
      const proposal = await this.lockProposal(em, id);
      if (proposal.status !== ProposalStatus.DRAFT && proposal.status !== ProposalStatus.DEFERRED) {
        throw conflict(`A ${proposal.status} proposal cannot be escalated`, FeedbackErrorReason.NOT_ESCALATABLE, 'id');
      }
      await ESCALATE_PROPOSAL.run(em, { id, escalatedById: principal.userId, now: this.clock.now(), note: cleanedNote });
      const items = await PROPOSAL_ITEMS_FOR_UPDATE.all(em, { proposalId: id, statuses: [FeedbackStatus.IN_REVIEW, FeedbackStatus.DECIDED] });
      await this.moveItems(em, items, FeedbackStatus.ESCALATED, principal.userId, cleanedNote ?? 'Escalated to management');
    });
    return this.em.findOneOrFail(ImprovementProposal, { id }, { refresh: true });
  }

  async decide(principal: Principal, id: string, decision: ProposalDecision, rationale: string): Promise<ImprovementProposal> {
    requireAccess(principal, Permission.PROPOSAL_DECIDE, 'Only a manager decides proposals');
    const why = cleanText(rationale, 'rationale', 5000, 'rationale');
    await this.em.transactional(async (em) => {
      const proposal = await this.lockProposal(em, id);
      if (proposal.status !== ProposalStatus.ESCALATED) {
        throw conflict(`Only an ESCALATED proposal can be decided; this one is ${proposal.status}`, FeedbackErrorReason.NOT_ESCALATED, 'id');
      }
      await DECIDE_PROPOSAL.run(em, { id, status: DECISION_STATUS[decision], decision, rationale: why, decidedById: principal.userId, now: this.clock.now() });
      const items = await PROPOSAL_ITEMS_FOR_UPDATE.all(em, { proposalId: id, statuses: [FeedbackStatus.ESCALATED] });
      await this.moveItems(em, items, FeedbackStatus.DECIDED, principal.userId, `${decision}: ${why}`);
    });
    return this.em.findOneOrFail(ImprovementProposal, { id }, { refresh: true });
  }

  private async lockProposal(em: EntityManager, id: string): Promise<{ status: ProposalStatus }> {
    if (!isUuid(id)) throw notFound('ImprovementProposal', id, 'id');
    const status = await PROPOSAL_STATUS_FOR_UPDATE.maybeOne(em, { id });
    if (!status) throw notFound('ImprovementProposal', id, 'id');
    return { status };
  }

  /** Moves items to `to` and records one step per item, in the caller's transaction. */
  private async moveItems(em: EntityManager, ids: string[], to: FeedbackStatus, actorId: string, note: string | null): Promise<void> {
    if (ids.length === 0) return;
    await MOVE_ITEMS.run(em, { ids, to, actorId, note, now: this.clock.now() });
  }
}
