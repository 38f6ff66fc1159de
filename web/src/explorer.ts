// The API explorer at GET /graphql in a browser: GraphiQL, bundled and served by Kezek itself, so it
// works with no internet access (Apollo's sandbox loads from a CDN). Queries and mutations go over
// HTTP, subscriptions over graphql-ws, both to this server. A token pasted into the headers panel
// ({"authorization": "Bearer …"}) is also sent as the WebSocket's connection parameters.
import type { Fetcher, FetcherOpts, FetcherParams } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import 'graphiql/graphiql.css';
import { Kind, type OperationDefinitionNode } from 'graphql';
import { createClient } from 'graphql-ws';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';

const url = `${location.origin}/graphql`;
const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;

const DEFAULT_QUERY = `# Kezek's public API. Try the queue of a pilot city:
query Queue {
  queueStats(city: "ASTANA") {
    city { code name { kk ru } }
    voucherType
    waiting
    offered
    active
  }
}

# Or watch it live (press ▶ and pick QueueMetrics):
subscription QueueMetrics {
  queueMetrics(city: "ASTANA") { voucherType waiting offered active at }
}
`;

/** Whether the operation GraphiQL is about to run is a subscription. */
function isSubscription(params: FetcherParams, opts?: FetcherOpts): boolean {
  const operations = (opts?.documentAST?.definitions ?? []).filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const chosen = operations.find((o) => o.name?.value === params.operationName) ?? (operations.length === 1 ? operations[0] : undefined);
  return chosen ? chosen.operation === 'subscription' : /^\s*subscription\b/.test(params.query);
}

/**
 * Queries and mutations over HTTP with the headers panel's headers; subscriptions over graphql-ws
 * with its authorization sent as connection parameters, one socket per subscription. Headers are
 * not persisted: a token pasted here stays in this tab, never in the browser's storage.
 */
const fetcher: Fetcher = (params, opts) => {
  const headers: Record<string, string> = opts?.headers ?? {};
  if (isSubscription(params, opts)) {
    return {
      subscribe(sink: { next(value: unknown): void; error(error: unknown): void; complete(): void }) {
        const client = createClient({ url: wsUrl, lazy: true, retryAttempts: 0, connectionParams: headers.authorization ? { authorization: headers.authorization } : {} });
        const dispose = client.subscribe(params as { query: string }, { next: (v) => sink.next(v), error: (e) => sink.error(e), complete: () => sink.complete() });
        return {
          unsubscribe: () => {
            dispose();
            void client.dispose();
          },
        };
      },
    } as ReturnType<Fetcher>;
  }
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...headers }, body: JSON.stringify(params) }).then((r) => r.json());
};

createRoot(document.getElementById('explorer')!).render(
  createElement(GraphiQL, { fetcher, defaultQuery: DEFAULT_QUERY, isHeadersEditorEnabled: true, shouldPersistHeaders: false }),
);
