import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { type ExecutionArgs, getOperationAST, type ValidationRule, GraphQLError, type GraphQLSchema, parse, specifiedRules, validate } from 'graphql';
import type { Disposable } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import type { EntityManager } from '@mikro-orm/postgresql';
import { authenticate } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import { isExpired, type Viewer } from '../auth/viewer.js';
import { createContext } from '../context.js';
import { DomainError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RealtimeHub } from '../realtime/hub.js';
import { createServices } from '../services/index.js';
import { formatError, isUnexpected, withoutSuggestions } from './format-error.js';
import { checkOperation } from './operation-guard.js';
import { type Limits, maxCostFor } from './protection.js';
import { clientAddress, type RateLimits } from './rate-limits.js';

export const GRAPHQL_PATH = '/graphql';

/** WebSocket pings this often keep idle sockets alive through proxies and find dead peers. */
const KEEP_ALIVE_MS = 12_000;

/** Close codes beyond graphql-ws's own 4403 (bad credentials): like HTTP 429, and a revoked API key. */
export const CLOSE_TOO_MANY = 4429;
export const CLOSE_REVOKED = 4403;

interface SocketExtra extends Record<PropertyKey, unknown> {
  viewer?: Viewer;
  connectionId?: string;
  address?: string;
  /** Set by graphql-ws/use/ws. */
  socket: WebSocket;
  request: http.IncomingMessage;
}

export interface GraphqlWsDeps {
  schema: GraphQLSchema;
  rootEm: EntityManager;
  tokens: TokenService;
  log: Logger;
  development: boolean;
  limits: Limits;
  /** The same extra validation rules Apollo runs for HTTP. */
  rules: ValidationRule[];
  realtime: RealtimeHub | null;
  rateLimits: RateLimits;
  trust: (address: string, hop: number) => boolean;
  /** How often sockets opened with an API key re-check that it is not revoked. */
  apiKeyRecheckMs: number;
}

const badRequest = (message: string) => new DomainError(ErrorCode.BAD_USER_INPUT, message);

/**
 * graphql-ws on the same path as HTTP. graphql-ws runs none of Apollo's plugins, so the same
 * validation rules, authentication and error masking are applied here explicitly.
 */
export function attachGraphqlWs(server: http.Server, deps: GraphqlWsDeps): Disposable {
  const wss = new WebSocketServer({ server, path: GRAPHQL_PATH, maxPayload: deps.limits.maxPayloadBytes });
  const rules = [...specifiedRules, ...deps.rules];
  const format = (errors: readonly GraphQLError[]) =>
    errors.map((e) => formatError(e.toJSON(), e.originalError ?? e, { development: deps.development }));

  // Sockets opened with an API key, so that revoking the key closes them (see recheckApiKeys).
  const keySockets = new Map<WebSocket, string>();
  const closeRevoked = (socket: WebSocket) => {
    keySockets.delete(socket);
    socket.close(CLOSE_REVOKED, 'The API key was revoked.');
  };
  /**
   * Revocation is a row in the database, so checking it from here reaches every instance without
   * another channel: each instance asks, every few seconds, which of its sockets' keys are revoked.
   */
  const recheckApiKeys = async () => {
    if (keySockets.size === 0) return;
    try {
      const revoked = new Set(await createServices(deps.rootEm.fork()).apiKeys.revokedAmong([...new Set(keySockets.values())]));
      for (const [socket, keyId] of keySockets) if (revoked.has(keyId)) closeRevoked(socket);
    } catch (err) {
      deps.log.warn({ err }, 'could not re-check the API keys of open sockets');
    }
  };
  const recheckTimer = setInterval(() => void recheckApiKeys(), deps.apiKeyRecheckMs);
  recheckTimer.unref();

  const graphqlWs = useServer<Record<string, unknown>, SocketExtra>(
    {
      schema: deps.schema,
      // A bad token closes the socket with 4403 Forbidden (returning false does that); too many
      // connections or connects from one address close it with 4429 first.
      onConnect: async (ctx) => {
        const { socket, request } = ctx.extra;
        const address = clientAddress(request, deps.trust);
        ctx.extra.address = address;
        try {
          await deps.rateLimits.address(address);
        } catch (err) {
          socket.close(CLOSE_TOO_MANY, truncateReason((err as Error).message));
          return false;
        }
        const release = deps.rateLimits.openConnection(address);
        if (!release) {
          socket.close(CLOSE_TOO_MANY, `At most ${deps.rateLimits.settings.connectionsPerAddress} connections from one address.`);
          return false;
        }
        socket.once('close', () => {
          release();
          keySockets.delete(socket);
        });
        const params = ctx.connectionParams ?? {};
        const em = deps.rootEm.fork();
        try {
          const services = createServices(em);
          const viewer = await authenticate(
            { authorization: params.authorization ?? params.Authorization, apiKey: params.apiKey },
            deps.tokens,
            services.apiKeys,
            services.providers,
          );
          ctx.extra.viewer = viewer;
          ctx.extra.connectionId = randomUUID();
          if ('apiKeyId' in viewer && viewer.apiKeyId) keySockets.set(socket, viewer.apiKeyId);
          return true;
        } catch (err) {
          if (!(err instanceof DomainError)) deps.log.error({ err }, 'websocket authentication failed');
          return false;
        }
      },
      onSubscribe: async (ctx, id, payload) => {
        const viewer = ctx.extra.viewer!;
        // Tokens expire while sockets stay open: each new subscription must still be authorised.
        if (isExpired(viewer)) return [new DomainError(ErrorCode.UNAUTHENTICATED, 'Your token has expired; reconnect with a new one.')];
        const keyId = 'apiKeyId' in viewer ? viewer.apiKeyId : undefined;
        if (keyId && (await createServices(deps.rootEm.fork()).apiKeys.revokedAmong([keyId])).length > 0) {
          closeRevoked(ctx.extra.socket);
          return [new DomainError(ErrorCode.UNAUTHENTICATED, 'The API key was revoked.')];
        }
        // graphql-ws has already registered this subscription, so the count includes it.
        const max = deps.rateLimits.settings.subscriptionsPerConnection;
        if (Object.keys(ctx.subscriptions).length > max) {
          return [new DomainError(ErrorCode.RATE_LIMITED, `At most ${max} subscriptions at once on one connection: complete one first, or open another connection.`, { limit: 'subscriptionsPerConnection' })];
        }
        try {
          await deps.rateLimits.address(ctx.extra.address!);
          await deps.rateLimits.caller(viewer, false);
        } catch (err) {
          if (err instanceof DomainError) return [err];
          throw err;
        }
        let document;
        try {
          document = parse(payload.query);
        } catch (err) {
          return [badRequest((err as Error).message)];
        }
        const errors = validate(deps.schema, document, rules);
        if (errors.length > 0) return errors.map((e) => badRequest(deps.development ? e.message : withoutSuggestions(e.message)));
        const operation = getOperationAST(document, payload.operationName);
        if (operation?.operation !== 'subscription') {
          return [badRequest('Only subscriptions are served over WebSocket; send queries and mutations as HTTP POST.')];
        }
        const problem = checkOperation(deps.schema, document, operation, payload.variables, maxCostFor(deps.limits, viewer));
        if (problem) return [problem];
        const contextValue = await createContext(deps.rootEm, async () => viewer, `${ctx.extra.connectionId}:${id}`, deps.log, deps.realtime);
        const args: ExecutionArgs = {
          schema: deps.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
        };
        return args;
      },
      onError: (_ctx, _id, _payload, errors) => format(errors),
      onNext: (_ctx, _id, _payload, args, result) => {
        if (!result.errors?.length) return;
        for (const e of result.errors) if (isUnexpected(e)) (args.contextValue as { log: Logger }).log.error({ err: e.originalError ?? e }, 'subscription error');
        return { ...result, errors: format(result.errors) };
      },
    },
    wss,
    KEEP_ALIVE_MS,
  );
  return {
    dispose: async () => {
      clearInterval(recheckTimer);
      await graphqlWs.dispose();
    },
  };
}

/** WebSocket close reasons are at most 123 bytes. */
const truncateReason = (reason: string) => (Buffer.byteLength(reason) > 120 ? `${reason.slice(0, 100)}…` : reason);
