/**
 * Principals by bearer token, remembered for a few seconds (PRINCIPAL_CACHE_SECONDS) so a
 * request with a token seen moments ago needs no statement to know who is calling.
 *
 * A change to who may do what (a revoked token, sign out everywhere, a deactivated user, a
 * role change) forgets the affected entries at once: synchronously on the instance that
 * made it, right after its transaction commits, and on every other instance when the
 * NOTIFY arrives (session-registry.ts). So "role read fresh" holds within that delivery
 * time, and never later than the cache window: while the listening connection is down,
 * nothing is cached or served from here. Only successful authentications are kept; a
 * refused token is asked of the database every time.
 *
 * Tokens are kept as SHA-256 hashes, not as the secrets themselves.
 */
import { createHash } from 'node:crypto';
import type { Principal } from './auth';
import { setBounded } from './bounded-map';
import type { PrincipalChange, PrincipalChangeListener } from './session-registry';

interface Entry {
  principal: Principal;
  /** Until when the entry may be used (the cache window, or the token's expiry if sooner). */
  usableUntilMs: number;
}

/** A moment in the cache's life: `remember` ignores an entry read before a later change. */
export type CacheMark = number;

export class PrincipalCache implements PrincipalChangeListener {
  private readonly entries = new Map<string, Entry>();
  private changes = 0;
  private listening = false;

  constructor(
    private readonly windowMs: number,
    /** Entries kept at most; the oldest go first. */
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether answers may come from here: a window is configured and changes are being heard. */
  get active(): boolean {
    return this.windowMs > 0 && this.listening;
  }

  /** The listener of changes is (again) connected, or has lost its connection: then everything is forgotten. */
  setListening(listening: boolean): void {
    this.listening = listening;
    this.clear();
  }

  static keyOf(token: string): string {
    return createHash('sha256').update(token).digest('base64url');
  }

  get(key: string): Principal | undefined {
    if (!this.active) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.usableUntilMs <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.principal;
  }

  /** Take before reading the database; hand to `remember` with what was read. */
  mark(): CacheMark {
    return this.changes;
  }

  /** Keeps a principal just read, unless a change was applied since `mark` (the read may predate it). */
  remember(key: string, principal: Principal, mark: CacheMark): void {
    if (!this.active || mark !== this.changes) return;
    const credential = principal.credential;
    const expiresAtMs = credential?.kind === 'USER_TOKEN' ? credential.expiresAt.getTime() : Infinity;
    const usableUntilMs = Math.min(this.now() + this.windowMs, expiresAtMs);
    setBounded(this.entries, key, { principal, usableUntilMs }, this.maxEntries);
  }

  /** Forgets every principal the change concerns. */
  forget(change: PrincipalChange): void {
    this.changes += 1;
    for (const [key, { principal }] of this.entries) {
      if (concerns(change, principal)) this.entries.delete(key);
    }
  }

  clear(): void {
    this.changes += 1;
    this.entries.clear();
  }
}

/** Whether a change may alter how this principal authenticates (broader than what ends a session: any doubt forgets). */
function concerns(change: PrincipalChange, principal: Principal): boolean {
  const credential = principal.credential;
  switch (change.type) {
    case 'API_TOKEN_REVOKED':
      return credential?.kind === 'API_TOKEN' && credential.apiTokenId === change.apiTokenId;
    case 'TOKEN_REVOKED':
      return credential?.kind === 'USER_TOKEN' && credential.jti === change.jti;
    case 'SIGNED_OUT_EVERYWHERE':
    case 'USER_DEACTIVATED':
    case 'ROLE_CHANGED':
      return principal.userId === change.userId;
  }
}
