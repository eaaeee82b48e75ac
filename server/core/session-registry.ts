/**
 * Open WebSocket sessions by principal and token, and the signal that ends them on every
 * instance. A revoked token, a signed-out or deactivated user or a changed role is
 * announced with NOTIFY on `huikuan_principal_changed` in the transaction that changes
 * it; each instance LISTENs and closes the affected sockets with 4403 and the change as
 * the close reason. A user token's socket also closes when the token expires. After the
 * listening connection drops, every open session is checked against the database again,
 * so a change announced while not listening is not missed. The same changes reach the
 * principal cache (principal-cache.ts) through the registry's listener.
 */
import { Client } from 'pg';
import type { Logger } from 'pino';
import { Principal, Role } from './auth';
import { CoreErrorReason } from './errors';

export const PRINCIPAL_CHANNEL = 'huikuan_principal_changed';
/** graphql-ws "Forbidden": the SDK stops and reports FORBIDDEN instead of reconnecting. */
export const SESSION_CLOSED_CODE = 4403;

/** A change to who may do what, as announced to every instance. */
export type PrincipalChange =
  | { type: 'API_TOKEN_REVOKED'; apiTokenId: string }
  | { type: 'TOKEN_REVOKED'; jti: string }
  /** User tokens issued (`iat`, seconds) before `validAfter` are void. */
  | { type: 'SIGNED_OUT_EVERYWHERE'; userId: string; validAfter: number }
  | { type: 'USER_DEACTIVATED'; userId: string }
  | { type: 'ROLE_CHANGED'; userId: string; role: Role };

/** Why a session was closed: sent as the WebSocket close reason. */
export type SessionEndReason =
  | CoreErrorReason.TOKEN_REVOKED
  | CoreErrorReason.SIGNED_OUT_EVERYWHERE
  | CoreErrorReason.USER_DEACTIVATED
  | CoreErrorReason.ROLE_CHANGED
  | CoreErrorReason.TOKEN_EXPIRED
  | CoreErrorReason.CREDENTIALS_INVALID;

export interface SessionHandle {
  /** As authenticated when the socket connected, with its credential. */
  principal: Principal;
  /** The connection's bearer header, to check it again after a lost notification. */
  authorization: string | undefined;
  close(code: number, reason: SessionEndReason): void;
}

/**
 * Hears every change this registry applies, and whether changes can be heard at all (the
 * listening connection is up): the principal cache (principal-cache.ts).
 */
export interface PrincipalChangeListener {
  forget(change: PrincipalChange): void;
  setListening(listening: boolean): void;
}

/** Which sessions a change ends, and why. */
function endReason(change: PrincipalChange, { principal }: SessionHandle): SessionEndReason | undefined {
  const credential = principal.credential;
  switch (change.type) {
    case 'API_TOKEN_REVOKED':
      return credential?.kind === 'API_TOKEN' && credential.apiTokenId === change.apiTokenId ? CoreErrorReason.TOKEN_REVOKED : undefined;
    case 'TOKEN_REVOKED':
      return credential?.kind === 'USER_TOKEN' && credential.jti === change.jti ? CoreErrorReason.TOKEN_REVOKED : undefined;
    case 'SIGNED_OUT_EVERYWHERE':
      return principal.userId === change.userId && credential?.kind === 'USER_TOKEN' && credential.issuedAt < change.validAfter
        ? CoreErrorReason.SIGNED_OUT_EVERYWHERE
        : undefined;
    case 'USER_DEACTIVATED':
      return principal.userId === change.userId ? CoreErrorReason.USER_DEACTIVATED : undefined;
    case 'ROLE_CHANGED':
      return principal.userId === change.userId && principal.role !== change.role ? CoreErrorReason.ROLE_CHANGED : undefined;
  }
}

function isPrincipalChange(value: unknown): value is PrincipalChange {
  const type = (value as { type?: unknown } | null)?.type;
  return typeof type === 'string' && ['API_TOKEN_REVOKED', 'TOKEN_REVOKED', 'SIGNED_OUT_EVERYWHERE', 'USER_DEACTIVATED', 'ROLE_CHANGED'].includes(type);
}

/** setTimeout takes at most 2^31-1 ms (~24.8 days); tokens may live up to 90. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const RECONNECT_MS = 1000;

interface Entry {
  handle: SessionHandle;
  timer?: NodeJS.Timeout;
  ended: boolean;
}

export class SessionRegistry {
  private readonly entries = new Set<Entry>();
  private client: Client | undefined;
  private stopped = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly logger: Logger,
    /** Authenticates a bearer header again, as a new request would. */
    private readonly authenticate: (authorization: string | undefined) => Promise<Principal | undefined>,
    /** Told of every change (at once, before sessions are closed) and of the listening connection's state. */
    private readonly listener?: PrincipalChangeListener,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  async start(): Promise<void> {
    await this.listen(false);
  }

  private async listen(reconnecting: boolean): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.databaseUrl });
    client.on('notification', (message) => {
      try {
        const change: unknown = JSON.parse(message.payload ?? '');
        if (isPrincipalChange(change)) this.apply(change);
      } catch (err) {
        this.logger.warn({ err }, 'ignoring a malformed principal change notification');
      }
    });
    client.on('error', (err) => {
      void client.end().catch(() => undefined);
      // Errors while connecting reject connect() below; only a live connection reconnects here.
      if (this.client !== client) return;
      this.client = undefined;
      this.listener?.setListening(false);
      this.logger.warn({ err }, 'principal change listener lost its connection; reconnecting');
      this.reconnectSoon();
    });
    try {
      await client.connect();
      await client.query(`listen ${PRINCIPAL_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.listener?.setListening(true);
    // Changes committed while nobody listened: ask the database about every open session.
    if (reconnecting) await this.revalidateAll();
  }

  private reconnectSoon(): void {
    setTimeout(() => {
      this.listen(true).catch((err) => {
        this.logger.warn({ err }, 'principal change listener cannot reconnect yet');
        this.reconnectSoon();
      });
    }, RECONNECT_MS).unref();
  }

  /** Tracks an open session until `unregister` is called; a user token's session ends when it expires. */
  register(handle: SessionHandle): () => void {
    const entry: Entry = { handle, ended: false };
    this.entries.add(entry);
    const credential = handle.principal.credential;
    if (credential?.kind === 'USER_TOKEN') this.armExpiry(entry, credential.expiresAt.getTime());
    return () => this.forget(entry);
  }

  private armExpiry(entry: Entry, expiresAtMs: number): void {
    const delay = expiresAtMs - Date.now();
    if (delay <= 0) {
      this.end(entry, CoreErrorReason.TOKEN_EXPIRED);
      return;
    }
    entry.timer = setTimeout(() => this.armExpiry(entry, expiresAtMs), Math.min(delay, MAX_TIMER_MS));
    entry.timer.unref();
  }

  /** Closes every session the change affects (on this instance). Idempotent. */
  apply(change: PrincipalChange): void {
    this.listener?.forget(change);
    for (const entry of this.entries) {
      const reason = endReason(change, entry.handle);
      if (reason) this.end(entry, reason);
    }
  }

  /** Checks every open session against the database; closes those no longer valid as they were. */
  async revalidateAll(): Promise<void> {
    for (const entry of [...this.entries]) {
      if (entry.ended) continue;
      try {
        const now = await this.authenticate(entry.handle.authorization);
        if (!now || now.userId !== entry.handle.principal.userId) this.end(entry, CoreErrorReason.CREDENTIALS_INVALID);
        else if (now.role !== entry.handle.principal.role) this.end(entry, CoreErrorReason.ROLE_CHANGED);
      } catch (err) {
        this.logger.warn({ err }, 'could not check an open session again');
      }
    }
  }

  private end(entry: Entry, reason: SessionEndReason): void {
    if (entry.ended) return;
    entry.ended = true;
    this.forget(entry);
    entry.handle.close(SESSION_CLOSED_CODE, reason);
  }

  private forget(entry: Entry): void {
    if (entry.timer) clearTimeout(entry.timer);
    this.entries.delete(entry);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.listener?.setListening(false);
    for (const entry of this.entries) if (entry.timer) clearTimeout(entry.timer);
    await this.client?.end().catch(() => undefined);
  }
}
