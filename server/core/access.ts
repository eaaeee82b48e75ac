/**
 * The access policy: who may do what, in one table. Resolvers name a permission in
 * `@Authorized(Permission.X)` and services ask `can`/`requireAccess`; no other file lists
 * roles. Row-level visibility is here too: a SALES user sees only the customers they own
 * now, and everything under them.
 */
import type { AuthChecker } from 'type-graphql';
import { ApiTokenScope, type Principal, Role } from './auth';
import { forbidden, unauthenticated } from './errors';

export enum Permission {
  /** Customers and receivables (SALES: own customers only). */
  LEDGER_READ = 'LEDGER_READ',
  /** Payments and their allocations (SALES: own customers only). */
  PAYMENT_READ = 'PAYMENT_READ',
  /** The list of users. */
  USER_READ = 'USER_READ',
  /** Users, API tokens and the business calendar. */
  ADMINISTER = 'ADMINISTER',
  /** Create and change customers (SALES: for themselves only). */
  CUSTOMER_WRITE = 'CUSTOMER_WRITE',
  /** Give a customer to another salesperson. */
  CUSTOMER_REASSIGN = 'CUSTOMER_REASSIGN',
  /** Issue receivables (SALES: to own customers). */
  RECEIVABLE_CREATE = 'RECEIVABLE_CREATE',
  /** Book and void payments, allocate, write off, run the overdue scan. */
  LEDGER_BOOK = 'LEDGER_BOOK',
  /** Report "the customer says they paid" (own customers). */
  PAYMENT_NOTICE_REPORT = 'PAYMENT_NOTICE_REPORT',
  /** The overdue event stream (SALES: own customers only). */
  OVERDUE_EVENTS_READ = 'OVERDUE_EVENTS_READ',
  /** Aging and collection figures (SALES: their own only). */
  COLLECTION_STATS_READ = 'COLLECTION_STATS_READ',
  /** Stored weekly analyses. */
  WEEKLY_ANALYSIS_READ = 'WEEKLY_ANALYSIS_READ',
  /** Publish a weekly analysis on demand; set, change and archive goals. */
  GOALS_MANAGE = 'GOALS_MANAGE',
  /** Goals and scorecards (SALES: their own only). */
  GOALS_READ = 'GOALS_READ',
  /** Submit feedback reports and read one's own named reports. */
  FEEDBACK_SUBMIT = 'FEEDBACK_SUBMIT',
  /** Every feedback report (never an anonymous author), summaries and compliance. */
  FEEDBACK_READ = 'FEEDBACK_READ',
  /** Triage feedback items, build and escalate improvement proposals. */
  FEEDBACK_TRIAGE = 'FEEDBACK_TRIAGE',
  /** Decide escalated improvement proposals. */
  PROPOSAL_DECIDE = 'PROPOSAL_DECIDE',
  /** Open a dispute of a receivable (SALES: own customers). */
  DISPUTE_OPEN = 'DISPUTE_OPEN',
  /** Resolve a dispute (VALID, INVALID, PARTIAL). */
  DISPUTE_RESOLVE = 'DISPUTE_RESOLVE',
  /** Set or clear a customer's manual credit status (overrideCreditStatus). */
  CREDIT_OVERRIDE = 'CREDIT_OVERRIDE',
  /** The collection worklist (SALES: own customers only). */
  WORKLIST_READ = 'WORKLIST_READ',
  /** Log collection activities and record promises to pay (SALES: own customers). */
  COLLECTION_LOG = 'COLLECTION_LOG',
  /** The contact log and promises to pay (SALES: own customers only). */
  COLLECTION_READ = 'COLLECTION_READ',
  /** Webhook endpoints, their secrets and delivery logs (ADMIN only). */
  WEBHOOKS_MANAGE = 'WEBHOOKS_MANAGE',
  /** Everyone's notifications (the outbox); everyone reads their own. */
  NOTIFICATIONS_READ_ALL = 'NOTIFICATIONS_READ_ALL',
  /**
   * A promise to pay wherever it appears (SALES: own customers only): the lists need
   * COLLECTION_READ; integrations read the promise of a PROMISE_* event (OverdueEvent.promise).
   */
  PROMISE_READ = 'PROMISE_READ',
  /** Bulk import of customers, receivables and bank lines, and the import runs (issue 12). INTEGRATION: with the IMPORT scope only. */
  IMPORT = 'IMPORT',
}

const { SALES, FINANCE, PROJECT_LEAD, MANAGER, ADMIN, INTEGRATION } = Role;

/** The roles that hold each permission; ADMIN holds every one. */
const POLICY: Record<Permission, readonly Role[]> = {
  [Permission.LEDGER_READ]: [SALES, FINANCE, MANAGER, INTEGRATION],
  [Permission.PAYMENT_READ]: [SALES, FINANCE, MANAGER],
  [Permission.USER_READ]: [FINANCE, MANAGER, PROJECT_LEAD],
  [Permission.ADMINISTER]: [],
  [Permission.CUSTOMER_WRITE]: [SALES, FINANCE],
  [Permission.CUSTOMER_REASSIGN]: [FINANCE, MANAGER],
  [Permission.RECEIVABLE_CREATE]: [SALES, FINANCE],
  [Permission.LEDGER_BOOK]: [FINANCE],
  [Permission.PAYMENT_NOTICE_REPORT]: [SALES],
  [Permission.OVERDUE_EVENTS_READ]: [SALES, FINANCE, MANAGER, INTEGRATION],
  [Permission.COLLECTION_STATS_READ]: [SALES, FINANCE, MANAGER, INTEGRATION],
  [Permission.WEEKLY_ANALYSIS_READ]: [FINANCE, MANAGER, INTEGRATION, PROJECT_LEAD],
  [Permission.GOALS_MANAGE]: [MANAGER],
  [Permission.GOALS_READ]: [MANAGER, SALES],
  [Permission.FEEDBACK_SUBMIT]: [SALES, FINANCE],
  [Permission.FEEDBACK_READ]: [PROJECT_LEAD, MANAGER],
  [Permission.FEEDBACK_TRIAGE]: [PROJECT_LEAD],
  [Permission.PROPOSAL_DECIDE]: [MANAGER],
  [Permission.DISPUTE_OPEN]: [SALES, FINANCE],
  [Permission.DISPUTE_RESOLVE]: [FINANCE, MANAGER],
  [Permission.CREDIT_OVERRIDE]: [MANAGER],
  [Permission.WORKLIST_READ]: [SALES, FINANCE, MANAGER],
  [Permission.COLLECTION_LOG]: [SALES, FINANCE, MANAGER],
  [Permission.COLLECTION_READ]: [SALES, FINANCE, MANAGER],
  [Permission.WEBHOOKS_MANAGE]: [],
  [Permission.NOTIFICATIONS_READ_ALL]: [],
  [Permission.PROMISE_READ]: [SALES, FINANCE, MANAGER, INTEGRATION],
  [Permission.IMPORT]: [FINANCE],
};

/** Permissions an API token (INTEGRATION) holds only when it was given the scope (issue 12). */
const SCOPED_PERMISSIONS: Partial<Record<Permission, ApiTokenScope>> = {
  [Permission.IMPORT]: ApiTokenScope.IMPORT,
};

/**
 * Type-level policy: objects of these GraphQL types may be read only by holders of the
 * permission, along every path, not just from the root field that returns them. Every
 * field whose type is listed carries `@Authorized(<that permission>)` unless the type
 * around it is itself policed by the same permission; test/unit/access-walk.test.ts walks
 * the schema for every role and fails when a role can reach a listed type it may not read.
 *
 * - Payment, Allocation → PAYMENT_READ: payment references, lag reasons and who booked
 *   them are finance records. INTEGRATION and PROJECT_LEAD read the ledger (or not at
 *   all) but never payments, also not through `Receivable.allocations`.
 * - Per-salesperson and per-clerk figures, and the top overdue customers →
 *   COLLECTION_STATS_READ: they name people and customers, the same figures
 *   `agingReport` and `collectionStats` give. PROJECT_LEAD reads the weekly analyses
 *   for the trend behind proposals: company-wide totals, not individual numbers.
 * - User (and its `email`) is not policed: a role sees the colleagues its work
 *   involves (the salesperson of a receivable, the owner of a customer, who triaged a
 *   feedback item) with their work address, which integrations use to route alarms to
 *   the salesperson. People a role has no business with (the clerk who booked a
 *   payment, per-clerk rows) are closed off by the types above, not by hiding fields
 *   of User. Goals are filtered by row (`goals` returns only those that apply).
 * - Webhook endpoints, their secrets and delivery logs → WEBHOOKS_MANAGE (ADMIN): a
 *   signing secret or an integrator's URL is for the operator only.
 * - Collection work (issue 10): the contact log (CollectionActivity) → COLLECTION_READ;
 *   a promise to pay → PROMISE_READ, which integrations hold on purpose (the promise of a
 *   PROMISE_* event in the stream); disputes and credit status with its history and
 *   overrides → LEDGER_READ, like the receivables they are about; the worklist's items →
 *   WORKLIST_READ. PROJECT_LEAD reaches none of them.
 * - Imports (issue 12): results and runs → IMPORT (FINANCE; an API token with the IMPORT
 *   scope); the bank-line suspense list → LEDGER_BOOK; a customer's statement → LEDGER_READ,
 *   its promises → PROMISE_READ, as everywhere else.
 */
export const TYPE_POLICY: Readonly<Record<string, Permission>> = {
  Payment: Permission.PAYMENT_READ,
  Allocation: Permission.PAYMENT_READ,
  SalespersonAging: Permission.COLLECTION_STATS_READ,
  SalespersonCollectionStats: Permission.COLLECTION_STATS_READ,
  ClerkBookingLag: Permission.COLLECTION_STATS_READ,
  OverdueCustomer: Permission.COLLECTION_STATS_READ,
  WebhookEndpoint: Permission.WEBHOOKS_MANAGE,
  WebhookSecretPayload: Permission.WEBHOOKS_MANAGE,
  WebhookEventFilter: Permission.WEBHOOKS_MANAGE,
  WebhookDelivery: Permission.WEBHOOKS_MANAGE,
  WebhookDeliveryAttempt: Permission.WEBHOOKS_MANAGE,
  WebhookDeliveryConnection: Permission.WEBHOOKS_MANAGE,
  WebhookDeliveryEdge: Permission.WEBHOOKS_MANAGE,
  CollectionActivity: Permission.COLLECTION_READ,
  PromiseToPay: Permission.PROMISE_READ,
  Dispute: Permission.LEDGER_READ,
  CreditStatusDetail: Permission.LEDGER_READ,
  CreditStatusReason: Permission.LEDGER_READ,
  CreditOverride: Permission.LEDGER_READ,
  CreditStatusChange: Permission.LEDGER_READ,
  WorklistItem: Permission.WORKLIST_READ,
  WorklistPromise: Permission.WORKLIST_READ,
  WorklistPriority: Permission.WORKLIST_READ,
  ImportResult: Permission.IMPORT,
  ImportRowResult: Permission.IMPORT,
  ImportRun: Permission.IMPORT,
  BankLine: Permission.LEDGER_BOOK,
  CustomerStatement: Permission.LEDGER_READ,
  StatementItem: Permission.LEDGER_READ,
  StatementPromise: Permission.PROMISE_READ,
  StatementDispute: Permission.LEDGER_READ,
};

export function can(principal: Principal, permission: Permission): boolean {
  const scope = principal.role === INTEGRATION ? SCOPED_PERMISSIONS[permission] : undefined;
  if (scope) return principal.scopes?.includes(scope) ?? false;
  return principal.role === ADMIN || POLICY[permission].includes(principal.role);
}

/** FORBIDDEN unless the principal holds the permission. */
export function requireAccess(principal: Principal, permission: Permission, message?: string): void {
  if (!can(principal, permission)) throw forbidden(message);
}

/** The roles holding a permission besides ADMIN (e.g. who is expected to submit feedback). */
export function rolesWith(permission: Permission): readonly Role[] {
  return POLICY[permission];
}

/**
 * The salesperson a read must be restricted to, or undefined for an unrestricted reader:
 * a SALES user sees the customers they own now (and everything under them) and their
 * own figures only.
 */
export function ownerScope(principal: Principal): string | undefined {
  return principal.role === SALES ? principal.userId : undefined;
}

/** Whether the principal sees a customer owned by `ownerId` (and everything under it). */
export function canSeeCustomerOwnedBy(principal: Principal, ownerId: string): boolean {
  const scope = ownerScope(principal);
  return scope === undefined || scope === ownerId;
}

/** Figures about one salesperson: SALES only their own; other readers anyone's. */
export function canSeeSalesperson(principal: Principal, salespersonId: string): boolean {
  return principal.role !== SALES || principal.userId === salespersonId;
}

/**
 * type-graphql's check of `@Authorized(...)`: no permission named = any signed-in caller;
 * otherwise the caller must hold one of them. Missing identity is UNAUTHENTICATED, a
 * missing permission FORBIDDEN.
 */
export const authChecker: AuthChecker<{ principal?: Principal }, Permission> = ({ context }, permissions) => {
  const principal = context.principal;
  if (!principal) throw unauthenticated();
  if (permissions.length === 0 || permissions.some((permission) => can(principal, permission))) return true;
  throw forbidden();
};
