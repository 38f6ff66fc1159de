import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { type ExecutionArgs, getOperationAST, type ValidationRule, GraphQLError, type GraphQLSchema, parse, specifiedRules, validate } from 'graphql';
import type { Disposable } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
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
import type { Limits } from './protection.js';

export const GRAPHQL_PATH = '/graphql';

/** WebSocket pings this often keep idle sockets alive through proxies and find dead peers. */
const KEEP_ALIVE_MS = 12_000;

interface SocketExtra extends Record<PropertyKey, unknown> {
  viewer?: Viewer;
  connectionId?: string;
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

  return useServer<Record<string, unknown>, SocketExtra>(
    {
      schema: deps.schema,
      // A bad token closes the socket with 4403 Forbidden (returning false does that).
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const em = deps.rootEm.fork();
        try {
          ctx.extra.viewer = await authenticate(
            { authorization: params.authorization ?? params.Authorization, apiKey: params.apiKey },
            deps.tokens,
            createServices(em).apiKeys,
          );
          ctx.extra.connectionId = randomUUID();
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
}
