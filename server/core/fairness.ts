/**
 * Fairness between callers over HTTP: at most N operations run at a time per signed-in
 * user (per IP address for callers without a valid token); a short burst beyond that
 * waits its turn in a bounded queue (clients legitimately fire a page's queries at
 * once), and anything beyond the queue is refused at once with HTTP 429. A deadline per
 * operation, counted from arrival, answers OPERATION_TIMEOUT when it passes; the
 * abandoned execution stops at its next resolver and keeps its slot until it has, so a
 * caller cannot free slots by timing out. This replaces Apollo's express middleware,
 * whose request/response plumbing it repeats, because only the caller of
 * `executeHTTPGraphQLRequest` can answer before the operation ends.
 */
import type { Request, RequestHandler, Response } from 'express';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import type { LimitsConfig } from '../config';
import type { Principal } from './auth';
import { classifyDatabaseError } from './database-errors';
import { ApiErrorCode, DomainError, CoreErrorReason } from './errors';
import { asGraphQLError, markTimedOut, operationTimeout, setDeadline } from './operation-limits';

export interface Ticket {
  /** Resolves when the operation may run (at once, or when a slot is handed over). */
  ready: Promise<void>;
  /** Frees the slot for the next waiting operation, or leaves the queue if still waiting. */
  release(): void;
}

interface Caller {
  running: number;
  waiting: (() => void)[];
}

export class ConcurrencyGate {
  private readonly callers = new Map<string, Caller>();

  /**
   * A slot among `cap` running for `key`, or a place among `queue` waiting for one;
   * undefined when both are full.
   */
  admit(key: string, cap: number, queue: number): Ticket | undefined {
    const caller = this.callers.get(key) ?? { running: 0, waiting: [] };
    this.callers.set(key, caller);
    let state: 'waiting' | 'running' | 'done' = 'waiting';
    let grant!: () => void;
    const ready = new Promise<void>((resolve) => (grant = resolve));
    const start = () => {
      state = 'running';
      grant();
    };
    if (caller.running < cap) {
      caller.running += 1;
      start();
    } else if (caller.waiting.length < queue) {
      caller.waiting.push(start);
    } else {
      return undefined;
    }
    const forget = () => {
      if (caller.running === 0 && caller.waiting.length === 0) this.callers.delete(key);
    };
    return {
      ready,
      release: () => {
        if (state === 'waiting') {
          caller.waiting.splice(caller.waiting.indexOf(start), 1);
        } else if (state === 'running') {
          // The slot passes straight to the next in line: the running count stays.
          const next = caller.waiting.shift();
          if (next) next();
          else caller.running -= 1;
        }
        state = 'done';
        forget();
      },
    };
  }

  load(key: string): { running: number; waiting: number } {
    const caller = this.callers.get(key);
    return { running: caller?.running ?? 0, waiting: caller?.waiting.length ?? 0 };
  }
}

export interface GuardedHandlerOptions<TContext> {
  apollo: ApolloServer<TContext & { principal?: Principal }>;
  limits: LimitsConfig;
  gate: ConcurrencyGate;
  createContext: (req: Request, res: Response) => Promise<TContext & { principal?: Principal }>;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
}

const TIMED_OUT = Symbol('timed out');

export function guardedGraphQLHandler<TContext extends object>(options: GuardedHandlerOptions<TContext>): RequestHandler {
  const { apollo, limits, gate } = options;
  return async (req, res) => {
    const started = Date.now();
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let context: (TContext & { principal?: Principal }) | undefined;
    let release: (() => void) | undefined;

    const execution = apollo
      .executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method.toUpperCase(), headers, search: new URL(req.url, 'http://x').search, body: req.body },
        context: async () => {
          let created: TContext & { principal?: Principal };
          try {
            created = await options.createContext(req, res);
          } catch (e) {
            // Authentication reads the database: when it is down or full, say so with 503.
            if (classifyDatabaseError(e)) {
              throw new GraphQLError('database', {
                originalError: e as Error,
                extensions: { http: { status: 503, headers: new HeaderMap([['retry-after', '5']]) } },
              });
            }
            throw e;
          }
          const principal = created.principal;
          const key = principal ? `user:${principal.userId}` : `ip:${req.ip ?? req.socket.remoteAddress}`;
          const cap = principal ? limits.concurrentPerUser : limits.concurrentPerIp;
          const ticket = gate.admit(key, cap, limits.queuedPerCaller);
          if (!ticket) {
            const { running, waiting } = gate.load(key);
            const who = principal ? 'You already have' : 'This address already has';
            const refusal = new DomainError(
              ApiErrorCode.BAD_USER_INPUT,
              `${who} ${running} operations running and ${waiting} waiting; at most ${cap} run at a time and ${limits.queuedPerCaller} wait (retry when one has finished)`,
              CoreErrorReason.TOO_MANY_CONCURRENT_OPERATIONS,
              undefined,
              { limit: 'concurrentOperations', actual: running + waiting + 1, budget: cap + limits.queuedPerCaller },
            );
            throw asGraphQLError(refusal, 429, { 'retry-after': '1' });
          }
          release = () => ticket.release();
          let waited: NodeJS.Timeout | undefined;
          const admitted = await Promise.race([
            ticket.ready.then(() => true),
            new Promise<boolean>((resolve) => {
              waited = setTimeout(() => resolve(false), Math.max(0, started + limits.operationTimeoutMs - Date.now()));
            }),
          ]).finally(() => clearTimeout(waited));
          // Still queued at the deadline: the handler has answered OPERATION_TIMEOUT already.
          if (!admitted) throw asGraphQLError(operationTimeout(limits), 400);
          setDeadline(created, started + limits.operationTimeoutMs);
          context = created;
          return created;
        },
      })
      .finally(() => release?.());

    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), limits.operationTimeoutMs);
    });
    const outcome = await Promise.race([execution, deadline]).finally(() => clearTimeout(timer));
    if (outcome === TIMED_OUT) {
      if (context) markTimedOut(context);
      execution.catch(() => undefined);
      const error = asGraphQLError(operationTimeout(limits));
      res.status(400).json({ errors: [options.formatError(error.toJSON(), error)] });
      return;
    }
    for (const [key, value] of outcome.headers) res.setHeader(key, value);
    res.statusCode = outcome.status || 200;
    if (outcome.body.kind === 'complete') {
      res.send(outcome.body.string);
      return;
    }
    for await (const chunk of outcome.body.asyncIterator) res.write(chunk);
    res.end();
  };
}
