/**
 * Builds the HTTP server: GraphQL over HTTP and graphql-ws subscriptions on one port and
 * path, the offline playground, health, readiness and metrics. Used by main.ts and by
 * the tests, which start it on a free port against their own database.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { AddressInfo } from 'node:net';
import express from 'express';
import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { GraphQLError, Kind } from 'graphql';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { AppDeps, type Context, createContext } from './context';
import { createErrorFormatter } from './core/errors';
import { inputGuardPlugin, literalFieldOf, requestBodyErrorHandler, subscribeInputErrors } from './core/input-guards';
import { AuthService } from './modules/users/user.service';
import { pendingMigrations } from './db/orm';
import { Metrics, registerLiveGauges } from './metrics';
import { setBatchObserver } from './core/dataloader';
import { setScanObserver } from './modules/overdue/overdue.service';
import { playgroundHtmlPath, playgroundRouter } from './playground';
import { buildApiSchema } from './schema';

export interface AppOptions extends AppDeps {
  logger: Logger;
  metrics: Metrics;
}

export interface RunningApp {
  url: string;
  httpServer: http.Server;
  /** Stops accepting, finishes in-flight requests, closes WebSockets. The ORM is the caller's. */
  close(): Promise<void>;
}

/** Logs every operation and feeds the request and error metrics. */
function observabilityPlugin(logger: Logger, metrics: Metrics): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operationName, operation: document, response }) {
          const operation = operationName ?? 'anonymous';
          // Metric labels name the root field (bounded by the schema), not the client's
          // free-form operation name, which only goes to the log.
          const first = document?.selectionSet.selections[0];
          const rootField = first?.kind === Kind.FIELD ? first.name.value : 'invalid';
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          metrics.requests.inc({ operation: rootField });
          metrics.requestDuration.observe({ operation: rootField }, seconds);
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          for (const e of errors) metrics.errors.inc({ code: String(e.extensions?.code ?? 'UNKNOWN') });
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
  const { config, orm, logger, metrics } = options;
  const schema = await buildApiSchema();
  setBatchObserver((loader, size) => metrics.loaderBatchSize.observe({ loader }, size));
  setScanObserver((scan) => {
    metrics.scanDuration.observe(scan.durationMs / 1000);
    metrics.overdueEvents.inc({ type: 'BECAME_OVERDUE' }, scan.becameOverdue);
    metrics.overdueEvents.inc({ type: 'STAGE_ESCALATED' }, scan.escalated);
    metrics.overdueEvents.inc({ type: 'CLEARED' }, scan.cleared);
  });
  registerLiveGauges(metrics, {
    activeSubscriptions: () => options.hub.subscriberCount,
    pool: () => {
      const pool = (orm.em.getConnection().getKnex().client as { pool?: { numUsed(): number; numFree(): number; numPendingAcquires(): number } }).pool;
      return { used: pool?.numUsed() ?? 0, free: pool?.numFree() ?? 0, pending: pool?.numPendingAcquires() ?? 0 };
    },
  });
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);

  const formatError = createErrorFormatter({
    includeStack: config.nodeEnv === 'development',
    onInternalError: (error) => logger.error({ err: error }, 'internal error'),
    fieldOfLiteral: literalFieldOf,
  });
  const formatErrors = (errors: readonly GraphQLError[]) => errors.map((e) => formatError(e.toJSON(), e));

  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const wsCleanup = useServer<{ authorization?: string }>(
    {
      schema,
      // The same error mapping as over HTTP: API codes, no internals.
      onError: (_ctx, _id, _payload, errors) => formatErrors(errors),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: formatErrors(result.errors as readonly GraphQLError[]) } : result,
      context: async (ctx) => createContext(options, ctx.connectionParams?.authorization),
      onSubscribe: (_ctx, _id, payload) => subscribeInputErrors(payload),
      onConnect: async (ctx) => {
        // The token is checked in connection_init; false closes the socket with 4403 Forbidden.
        // Each subscription's context checks it again, so a revoked token starts nothing new.
        const principal = await new AuthService(orm.em.fork(), options).authenticate(ctx.connectionParams?.authorization);
        return principal !== undefined;
      },
    },
    wsServer,
  );

  const apollo = new ApolloServer<Context>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGINT/SIGTERM and stops everything in order; Apollo's own handler would race it.
    stopOnTerminationSignals: false,
    introspection: true,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      observabilityPlugin(logger, metrics),
      inputGuardPlugin(),
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
      await orm.em.fork().execute('select 1');
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
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  app.use(playgroundRouter());
  app.get('/graphql', (req, res, next) => {
    // A browser asking for a page gets the playground; GraphQL GET requests pass on.
    if (req.query.query === undefined && req.accepts(['application/json', 'text/html']) === 'text/html') {
      res.sendFile(playgroundHtmlPath());
      return;
    }
    next();
  });
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        // A caller's request id is kept (up to 100 safe characters), else one is made; it is echoed and logged.
        const given = String(req.headers['x-request-id'] ?? '');
        const requestId = /^[\w.:-]{1,100}$/.test(given) ? given : randomUUID();
        res.setHeader('x-request-id', requestId);
        return createContext(options, req.headers.authorization, requestId);
      },
    }),
  );
  app.use('/graphql', requestBodyErrorHandler((error) => logger.error({ err: error }, 'request error')));

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
