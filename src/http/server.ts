import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Disposable } from 'graphql-ws';
import { authenticate } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import { type Context, createContext } from '../context.js';
import type { ConnectionParts, Orm } from '../db/orm.js';
import { EventBus } from '../realtime/event-bus.js';
import { RealtimeHub } from '../realtime/hub.js';
import { createServices } from '../services/index.js';
import { DomainError, ErrorCode, httpStatusOf } from '../errors.js';
import type { IdentityRegistry } from '../identity/registry.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { buildKezekSchema } from '../schema/build.js';
import { sendError } from './error-response.js';
import { exportsRouter, type RequestContext } from './exports.js';
import { treasuryExportsRouter } from './treasury-exports.js';
import { formatError, isUnexpected } from './format-error.js';
import { importsRouter } from './imports.js';
import { attachGraphqlWs, GRAPHQL_PATH } from './graphql-ws.js';
import { operationGuardPlugin } from './operation-guard.js';
import { DEFAULT_LIMITS, type Limits, protectionRules } from './protection.js';
import { clientAddress, compileTrust, DEFAULT_RATE_LIMITS, RateLimits, type RateLimitSettings, type TrustProxy } from './rate-limits.js';
import { explorerPage, webRouter } from './web.js';

export interface ServerOptions {
  orm: Orm;
  tokens: TokenService;
  log: Logger;
  port: number;
  host: string;
  listenSocket?: string;
  introspection: boolean;
  development: boolean;
  limits?: Partial<Limits>;
  rateLimits?: Partial<RateLimitSettings>;
  /** Whose X-Forwarded-For to believe for the client address (default: nobody's). */
  trustProxy?: TrustProxy;
  /** How often open WebSockets re-check their API key (default 10 s). */
  apiKeyRecheckMs?: number;
  /** Where to LISTEN for other instances' events; without it, subscriptions are not served. */
  listen?: ConnectionParts;
  /** Verifies new parent–child claims at once; without it they wait for the background ClaimVerifier. */
  registry?: IdentityRegistry;
  /** The time the services of each request read (deadlines); the system clock unless a test moves it. */
  clock?: Clock;
  /**
   * Test servers only (main.ts never sets it): a request may bring its own time (TestApi reads a
   * header), so a test moves the clock for its own requests — its own city's world — without moving
   * it for the tests running beside it on the same server. Undefined: the server's `clock`.
   */
  requestClock?: (req: Request) => Clock | undefined;
}

export interface KezekServer {
  /** http://host:port/graphql of the TCP listener. */
  url: string;
  port: number;
  socketPath?: string;
  /** Stops accepting work, closes WebSockets, drains HTTP. The ORM and database are the caller's. */
  close(): Promise<void>;
}

const REQUEST_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;

/** HTTP (Apollo) and graphql-ws on one path, on a TCP port and optionally a Unix socket. */
export async function startServer(options: ServerOptions): Promise<KezekServer> {
  const { orm, tokens, log } = options;
  const schema = await buildKezekSchema();
  const bus = options.listen ? new EventBus(orm, options.listen, log) : null;
  // The hub's units of work get their services from the same factory as requests, on their own fork.
  const realtime = bus ? new RealtimeHub(() => createServices(orm.em.fork(), null, null, options.clock), bus, log) : null;
  await bus?.start();
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const rules = protectionRules(limits);
  const rateLimits = new RateLimits({ ...DEFAULT_RATE_LIMITS, ...options.rateLimits });
  const trust = compileTrust(options.trustProxy ?? false);
  const httpServers = [http.createServer()];
  if (options.listenSocket) httpServers.push(http.createServer());

  // Attached once the listeners are up (below): ws re-emits a listen error (a busy port) as its own,
  // which graphql-ws prints with a stack trace, while the start reports it in one line.
  let wsServers: Disposable[] = [];

  const apollo = new ApolloServer<Context>({
    schema,
    introspection: options.introspection,
    // Kezek's own signal handling shuts down in order (WebSockets, HTTP, ORM, database).
    stopOnTerminationSignals: false,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    hideSchemaDetailsFromClientErrors: !options.development,
    includeStacktraceInErrorResponses: false,
    validationRules: rules,
    formatError: (formatted, error) => formatError(formatted, error, { development: options.development }),
    plugins: [
      ...httpServers.map((httpServer) => ApolloServerPluginDrainHttpServer({ httpServer })),
      { serverWillStart: async () => ({ drainServer: async () => void (await Promise.all(wsServers.map((ws) => ws.dispose()))) }) },
      errorLoggingPlugin(),
      operationGuardPlugin(limits, rateLimits),
      // Apollo's own landing page loads its sandbox from a CDN; GET /graphql serves our bundled explorer instead.
      ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trust);
  app.use((req: Request, res: Response, next: NextFunction) => {
    const incoming = req.header('x-request-id');
    const requestId = incoming && REQUEST_ID_RE.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const entry = { requestId, method: req.method, path: req.originalUrl.split('?')[0], status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 };
      // Probes arrive every few seconds; they would drown the access log.
      if (req.path === '/healthz' || req.path === '/readyz') log.debug(entry, 'request');
      else log.info(entry, 'request');
    });
    next();
  });
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', async (_req, res) => {
    try {
      await orm.em.getConnection().execute('select 1');
      res.json({ status: 'ready' });
    } catch (err) {
      log.warn({ err }, 'readiness check failed');
      res.status(503).json({ status: 'unavailable', reason: 'database unreachable' });
    }
  });
  // Per address before anything else is done for the request, credentials checks included.
  app.use([GRAPHQL_PATH, '/exports', '/imports'], (req: Request, res: Response, next: NextFunction) => {
    rateLimits.address(clientAddress(req, trust)).then(
      () => next(),
      (err: unknown) => (err instanceof DomainError ? sendError(res, err) : next(err)),
    );
  });
  // One way to build a request's context, for a GraphQL operation and an export alike.
  const requestContext: RequestContext = (req, res) =>
    createContext(
      orm.em,
      (services) => authenticate({ authorization: req.headers.authorization, apiKey: req.headers['x-api-key'] }, tokens, services.apiKeys, services.providers),
      String(res.locals.requestId),
      log,
      realtime,
      options.registry ?? null,
      options.requestClock?.(req) ?? options.clock,
    );
  app.use(exportsRouter(requestContext, log));
  app.use(treasuryExportsRouter(requestContext, log));
  app.use(importsRouter(requestContext, log));
  app.use(webRouter(log));
  app.use(
    GRAPHQL_PATH,
    explorerPage(options.introspection),
    express.json({ limit: limits.maxPayloadBytes }),
    expressMiddleware(apollo, { context: ({ req, res }) => requestContext(req, res) }),
  );
  app.use(bodyErrorHandler(log, limits.maxPayloadBytes));
  for (const server of httpServers) server.on('request', app);

  const tcp = httpServers[0]!;
  try {
    await listen(tcp, () => tcp.listen(options.port, options.host));
    if (options.listenSocket) {
      const socketPath = options.listenSocket;
      fs.rmSync(socketPath, { force: true }); // a socket file left by a killed process blocks listen()
      await listen(httpServers[1]!, () => httpServers[1]!.listen(socketPath));
    }
  } catch (err) {
    // A failed start leaves nothing open: the caller stops the database next.
    httpServers.forEach((server) => server.listening && server.close());
    await apollo.stop();
    realtime?.stop();
    await bus?.stop();
    throw err;
  }
  wsServers = httpServers.map((server) =>
    attachGraphqlWs(server, {
      schema,
      rootEm: orm.em,
      tokens,
      log,
      development: options.development,
      limits,
      rules,
      realtime,
      rateLimits,
      trust,
      apiKeyRecheckMs: options.apiKeyRecheckMs ?? 10_000,
    }),
  );
  const address = tcp.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  const url = `http://${shownHost}:${port}${GRAPHQL_PATH}`;
  log.info({ url, socket: options.listenSocket }, 'Kezek API listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    socketPath: options.listenSocket,
    close: () =>
      (closing ??= (async () => {
        await apollo.stop(); // WebSockets first (their subscriptions end), then HTTP drained
        realtime?.stop();
        await bus?.stop();
      })()),
  };
}

function listen(server: http.Server, start: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve();
    });
    start();
  });
}

/** Logs unexpected errors with the request id; clients see them masked by formatError. */
function errorLoggingPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (isUnexpected(error)) (contextValue.log ?? console).error({ err: error.originalError ?? error, path: error.path }, 'unexpected error');
          }
        },
      };
    },
  };
}

/** Oversized or malformed JSON bodies get a GraphQL-shaped error instead of Express's HTML page. */
function bodyErrorHandler(log: Logger, maxPayloadBytes: number) {
  return (err: { status?: number; type?: string; message?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const status = err.status ?? 500;
    if (status >= 500) log.error({ err }, 'unhandled HTTP error');
    const message =
      err.type === 'entity.too.large'
        ? `Request body is larger than ${maxPayloadBytes} bytes.`
        : status < 500
          ? 'The request body is not valid JSON.'
          : 'Internal server error';
    const code = status < 500 ? ErrorCode.BAD_USER_INPUT : ErrorCode.INTERNAL_SERVER_ERROR;
    // A status the body parser named (413 too large, 415 an unknown charset) is more precise than the code's.
    sendError(res, new DomainError(code, message), err.status ?? httpStatusOf(code));
  };
}
