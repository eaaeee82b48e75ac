/**
 * Builds the HTTP server: GraphQL over HTTP and graphql-ws subscriptions on one port and
 * path, the offline playground, health, readiness and metrics. Used by main.ts and by
 * the tests, which start it on a free port against their own database.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { AddressInfo } from 'node:net';
import express from 'express';
import { ApolloServer, ApolloServerPlugin, HeaderMap } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import {
  type DocumentNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  Kind,
  locatedError,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import type { Context } from './context';
import { ApiErrorCode, createErrorFormatter, DomainError } from './core/errors';
import { downloadRequest } from './core/download';
import type { AppRuntime } from './core/module';
import { pendingMigrations, pingDatabase } from './db/orm';
import { type Metrics, registerPoolGauge } from './core/prometheus';
import { classifyDatabaseError, sanitizeErrorForLog } from './core/database-errors';
import { limitValidationRules, operationLimitsPlugin, serialisedAnswerData, stopAtDeadlines, stringifyResult, wsPrepare } from './core/operation-limits';
import type { JsonProjections } from './db/json-projection';
import { ConcurrencyGate, guardedGraphQLHandler } from './core/fairness';
import { metricsAccess } from './core/metrics-access';
import { inputGuardPlugin, literalFieldOf, requestBodyErrorHandler, subscribeInputErrors } from './core/input-guards';
import { setBatchObserver } from './core/dataloader';
import { DirectDelivery, nextFrame, nextFrames, sharedSubscribe } from './core/shared-subscription';
import { playgroundHtmlPath, playgroundRouter } from './playground';
import { consoleRouter } from './console';
import { type Composition, PROJECTIONS, UNLOGGED_ROOT_FIELDS } from './registry';
import { buildApiSchema } from './schema';

export interface AppOptions {
  runtime: AppRuntime;
  /** The running areas: contexts and services come from them. */
  areas: Composition;
}

export interface RunningApp {
  url: string;
  httpServer: http.Server;
  /** Stops accepting, finishes in-flight requests, closes WebSockets. The ORM is the caller's. */
  close(): Promise<void>;
}

/** A refusal that says when to come back (a throttled login) also says it in the standard HTTP header. */
function retryAfterPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          const waits = errors.map((e) => Number(e.extensions?.retryAfterSeconds)).filter((n) => Number.isFinite(n) && n > 0);
          if (waits.length) response.http.headers.set('retry-after', String(Math.max(...waits)));
        },
      };
    },
  };
}

/**
 * Answers are never cacheable: `cache-control: no-store` on every operation's response,
 * as Apollo's cache-control plugin said. That plugin is off because it hooks every field
 * of every answer (willResolveField) to collect hints nobody gives.
 */
function noStorePlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (!response.http.headers.has('cache-control')) response.http.headers.set('cache-control', 'no-store');
        },
      };
    },
  };
}

/**
 * A query PostgreSQL can answer whole (db/json-projection.ts) is not executed: one
 * statement builds its answer's JSON, sent on as text. It runs after the limits and
 * input guards (didResolveOperation), like execution would. Any other operation, and a
 * projected one whose statement fails for another reason than the database being busy,
 * gone or too slow, is executed as usual, so it is answered or refused exactly as before.
 */
function projectedAnswersPlugin(
  schema: GraphQLSchema,
  projections: JsonProjections<Context>,
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError,
): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async responseForOperation({ document, operation, request, contextValue }) {
          // Typed as always there, but undefined for an unknown or ambiguous operation name (graphql-js answers why).
          const known = operation as OperationDefinitionNode | undefined;
          const statement = known ? projections.compile(schema, document, known, request.variables, contextValue) : undefined;
          if (!statement) return null;
          const http = { status: undefined, headers: new HeaderMap() };
          try {
            const json = await statement.query.one(contextValue.em, statement.params);
            return { http, body: { kind: 'single', singleResult: { data: serialisedAnswerData(json) } } };
          } catch (e) {
            // A database that is busy, gone or too slow fails the one root field as its resolver's
            // statement would have (asking again would double the wait); anything else is executed.
            const [root] = statement.roots;
            if (!classifyDatabaseError(e) || statement.roots.length !== 1) return null;
            const error = locatedError(e, [root.node], [root.key]);
            const data = root.nullable ? { [root.key]: null } : null;
            return { http, body: { kind: 'single', singleResult: { errors: [formatError(error.toJSON(), error)], data } } };
          }
        },
      };
    },
  };
}

/** The root fields an operation selects, also through fragments. */
function rootFieldNames(selectionSet: SelectionSetNode, document: DocumentNode | undefined, seen = new Set<string>()): string[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection.name.value];
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootFieldNames(selection.selectionSet, document, seen);
    if (seen.has(selection.name.value)) return [];
    seen.add(selection.name.value);
    const fragment = document?.definitions.find(
      (d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value,
    );
    return fragment ? rootFieldNames(fragment.selectionSet, document, seen) : [];
  });
}

/** Logs every operation (but those of UNLOGGED_ROOT_FIELDS) and feeds the request and error metrics. */
function observabilityPlugin(logger: Logger, metrics: Metrics): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operationName, operation: document, document: source, response }) {
          const operation = operationName ?? 'anonymous';
          // Metric labels name the root field (bounded by the schema), not the client's
          // free-form operation name, which only goes to the log.
          const first = document?.selectionSet.selections[0];
          const rootField = first?.kind === Kind.FIELD ? first.name.value : 'invalid';
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          metrics.requests.inc({ operation: rootField });
          metrics.requestDuration.observe({ operation: rootField }, seconds);
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          for (const e of errors) metrics.errors.inc({ code: typeof e.extensions?.code === 'string' ? e.extensions.code : 'UNKNOWN' });
          // Any root field of the operation (aliases and several fields included) keeps it out of the log.
          if (document && rootFieldNames(document.selectionSet, source).some((name) => UNLOGGED_ROOT_FIELDS.has(name))) return;
          logger.info(
            {
              requestId: contextValue.requestId,
              operation,
              durationMs: Math.round(seconds * 1000),
              userId: contextValue.principal?.userId,
              errors: errors.length ? errors.map((e) => e.extensions?.code) : undefined,
            },
            'graphql operation',
          );
        },
      };
    },
  };
}

export async function startApp(options: AppOptions, port: number, host?: string): Promise<RunningApp> {
  const { config, orm, logger, metrics } = options.runtime;
  const { areas } = options;
  // The deadline is checked where resolvers do work, not by a hook on every field.
  const schema = stopAtDeadlines(await buildApiSchema(), config.limits);
  setBatchObserver((loader, size) => metrics.loaderBatchSize.observe({ loader }, size));
  registerPoolGauge(metrics, () => {
    const pool = (orm.em.getConnection().getKnex().client as { pool?: { numUsed(): number; numFree(): number; numPendingAcquires(): number } }).pool;
    return { used: pool?.numUsed() ?? 0, free: pool?.numFree() ?? 0, pending: pool?.numPendingAcquires() ?? 0 };
  });
  const app = express();
  app.disable('x-powered-by');
  // req.ip is the client behind this many proxies (X-Forwarded-For); 0 trusts no header.
  app.set('trust proxy', config.trustProxyHops);
  const httpServer = http.createServer(app);

  const formatError = createErrorFormatter({
    includeStack: config.nodeEnv === 'development',
    statementTimeoutMs: config.dbStatementTimeoutMs,
    onInternalError: (error) => logger.error({ err: sanitizeErrorForLog(error) }, 'internal error'),
    onDatabaseError: (error) => logger.warn({ err: sanitizeErrorForLog(error) }, 'database unavailable, busy or too slow'),
    fieldOfLiteral: literalFieldOf,
  });
  const formatErrors = (errors: readonly GraphQLError[]) => errors.map((e) => formatError(e.toJSON(), e));
  // What a `next` message carries: the same error mapping as over HTTP (API codes, no internals).
  const nextPayload = (result: ExecutionResult) => (result.errors ? { ...result, errors: formatErrors(result.errors) } : result);

  // Messages are GraphQL documents: the same 1 MB as an HTTP body (ws allows 100 MiB).
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 1024 * 1024 });
  const prepareWs = wsPrepare({ schema, limits: config.limits, introspection: config.introspection });
  const bearerOf = (params: Record<string, unknown> | undefined) => (typeof params?.authorization === 'string' ? params.authorization : undefined);
  const wsCleanup = useServer<{ authorization?: unknown }>(
    {
      schema,
      // The HTTP limits apply here too; graphql-ws would otherwise parse and validate unbounded.
      onSubscribe: async (ctx, _id, payload) => {
        const prepared = prepareWs(payload);
        if ('errors' in prepared) return prepared.errors;
        // The same string checks as over HTTP (NUL, surrogates, length), on a document within the token limit.
        const inputErrors = subscribeInputErrors(payload);
        if (inputErrors) return inputErrors;
        const contextValue = await areas.createContext(bearerOf(ctx.connectionParams), undefined, ctx.extra.request.socket.remoteAddress);
        const refused = prepared.check(contextValue.principal);
        if (refused.length > 0) return refused;
        return { schema, document: prepared.document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
      },
      // The same error mapping as over HTTP: API codes, no internals.
      onError: (_ctx, _id, _payload, errors) => formatErrors(errors),
      onNext: (_ctx, _id, _payload, _args, result) => nextPayload(result),
      // A shared stream (the overdue fan-out) answers once per event for all who get the
      // same answer and writes the same text to each socket (core/shared-subscription.ts).
      subscribe: sharedSubscribe((result) => JSON.stringify(nextPayload(result))),
      onOperation: (ctx, id, _payload, _args, result) => {
        if (!(result instanceof DirectDelivery)) return;
        const socket = ctx.extra.socket;
        // ws keeps its TCP socket in `_socket` (undocumented, stable since ws 1).
        const tcp = (socket as unknown as { _socket?: { cork(): void; uncork(): void; write(bytes: Uint8Array): boolean } })._socket;
        result.attach({
          next: (payloadJson) => {
            if (socket.readyState === socket.OPEN) socket.send(nextFrame(id, payloadJson));
          },
          // Frames made once are written as they are, beside ws's own writes: each write is
          // whole frames, and ws queues nothing of its own (the server compresses nothing).
          frames: tcp && {
            key: `ws:${id}`,
            make: (payloads) => nextFrames(id, payloads),
            write: (frames) => {
              if (socket.readyState === socket.OPEN) tcp.write(frames);
            },
          },
          bufferedBytes: () => socket.bufferedAmount,
          corked: (write) => {
            // Without the TCP socket the frames just leave one by one.
            tcp?.cork();
            try {
              write();
            } finally {
              tcp?.uncork();
            }
          },
        });
      },
      onConnect: async (ctx) => {
        // The token is checked in connection_init; false closes the socket with 4403 Forbidden.
        // Each subscription's context checks it again, so a revoked token starts nothing new,
        // and the session registry closes the socket when the token or its user changes.
        const authorization = bearerOf(ctx.connectionParams);
        const { auth, sessions } = areas.scope(orm.em.fork()).services;
        const principal = await auth.authenticate(authorization);
        const socket = ctx.extra.socket;
        if (!principal || socket.readyState !== socket.OPEN) return false;
        const unregister = sessions.register({ principal, authorization, close: (code, reason) => socket.close(code, reason) });
        socket.once('close', unregister);
        return true;
      },
    },
    wsServer,
    // A ping every WS_KEEPALIVE; a socket that has not answered within the same time is closed.
    config.wsKeepAliveSeconds * 1000,
  );

  const apollo = new ApolloServer<Context>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGINT/SIGTERM and stops everything in order; Apollo's own handler would race it.
    stopOnTerminationSignals: false,
    // Who may introspect is decided per caller in operationLimitsPlugin (INTROSPECTION).
    introspection: true,
    parseOptions: { maxTokens: config.limits.maxTokens },
    validationRules: limitValidationRules(config.limits),
    stringifyResult,
    plugins: [
      ApolloServerPluginCacheControlDisabled(),
      noStorePlugin(),
      operationLimitsPlugin<Context>({ schema, limits: config.limits, introspection: config.introspection, formatError }),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      observabilityPlugin(logger, metrics),
      retryAfterPlugin(),
      inputGuardPlugin(),
      projectedAnswersPlugin(schema, PROJECTIONS, formatError),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await pingDatabase(orm);
      const pending = await pendingMigrations(orm);
      if (pending.length > 0) {
        res.status(503).json({ status: 'migrations pending', pending });
        return;
      }
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'database unreachable' });
    }
  });
  app.get('/metrics', metricsAccess(config), async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  // The areas' files (an import run's refused rows, statements, reports), with the same
  // bearer token as /graphql, the same permissions and the same figures as the queries.
  for (const route of areas.downloads) {
    app.get(route.path, async (req, res) => {
      try {
        const context = await areas.createContext(req.headers.authorization, undefined, req.ip);
        if (!context.principal) {
          res.status(401).json({ code: 'UNAUTHENTICATED' });
          return;
        }
        const file = await route.answer(context, downloadRequest(req.params as Record<string, string>, req.query));
        res.setHeader('Content-Type', file.contentType);
        res.setHeader('Content-Disposition', `attachment; filename="${file.filename.replace(/[^\w.-]/g, '_')}"`);
        res.send(file.body);
      } catch (error) {
        const code = error instanceof DomainError ? error.code : ApiErrorCode.INTERNAL_SERVER_ERROR;
        const status = { FORBIDDEN: 403, NOT_FOUND: 404, UNAUTHENTICATED: 401, BAD_USER_INPUT: 400 }[code as string] ?? 500;
        if (status === 500) logger.error({ err: sanitizeErrorForLog(error) }, `GET ${route.path} failed`);
        res.status(status).json(error instanceof DomainError ? { code, reason: error.reason, field: error.field } : { code });
      }
    });
  }
  if (config.playground) app.use(playgroundRouter());
  app.use(consoleRouter({ clock: options.runtime.clock, timeZone: config.timeZone }));
  app.get('/graphql', (req, res, next) => {
    // A browser asking for a page gets the playground; GraphQL GET requests pass on.
    if (config.playground && req.query.query === undefined && req.accepts(['application/json', 'text/html']) === 'text/html') {
      res.sendFile(playgroundHtmlPath());
      return;
    }
    next();
  });
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    guardedGraphQLHandler<Context>({
      apollo,
      limits: config.limits,
      gate: new ConcurrencyGate(),
      formatError,
      createContext: async (req, res) => {
        // A caller's request id is kept (up to 100 safe characters), else one is made; it is echoed and logged.
        const given = String(req.headers['x-request-id'] ?? '');
        const requestId = /^[\w.:-]{1,100}$/.test(given) ? given : randomUUID();
        res.setHeader('x-request-id', requestId);
        return areas.createContext(req.headers.authorization, requestId, req.ip);
      },
    }),
  );
  app.use(
    '/graphql',
    requestBodyErrorHandler((error) => logger.error({ err: sanitizeErrorForLog(error) }, 'request error')),
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => resolve());
  });
  const address = httpServer.address() as AddressInfo;
  const shownHost = host && host !== '0.0.0.0' && host !== '::' ? host : 'localhost';
  return {
    url: `http://${shownHost}:${address.port}/graphql`,
    httpServer,
    close: async () => {
      await apollo.stop();
    },
  };
}
