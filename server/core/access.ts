/**
 * Row-level visibility shared by the ledger areas: a SALES user sees only the customers
 * they own now, and everything under them. Other roles that may read the ledger see all.
 */
import { Principal, Role } from './auth';

export const LEDGER_READERS = [Role.SALES, Role.FINANCE, Role.MANAGER, Role.INTEGRATION] as const;

/** The owner id a query must be restricted to, or undefined for an unrestricted reader. */
export function ownerScope(principal: Principal): string | undefined {
  return principal.role === Role.SALES ? principal.userId : undefined;
}

export function canSeeCustomerOwnedBy(principal: Principal, ownerId: string): boolean {
  const scope = ownerScope(principal);
  return scope === undefined || scope === ownerId;
}
