// The API explorer at GET /graphql in a browser: GraphiQL, bundled and served by Kezek itself, so it
// works with no internet access (Apollo's sandbox loads from a CDN). Queries and mutations go over
// HTTP, subscriptions over graphql-ws, both to this server. A token pasted into the headers panel
// ({"authorization": "Bearer …"}) is also sent as the WebSocket's connection parameters.
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import 'graphiql/graphiql.css';
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

/** The headers panel's JSON, if it parses: its authorization also authenticates the WebSocket. */
function headersFromEditor(): Record<string, string> {
  try {
    return JSON.parse(localStorage.getItem('graphiql:headers') ?? '{}') as Record<string, string>;
  } catch {
    return {};
  }
}

const fetcher = createGraphiQLFetcher({
  url,
  wsClient: createClient({
    url: wsUrl,
    lazy: true,
    connectionParams: () => {
      const authorization = headersFromEditor().authorization;
      return authorization ? { authorization } : {};
    },
  }),
});

createRoot(document.getElementById('explorer')!).render(
  createElement(GraphiQL, { fetcher, defaultQuery: DEFAULT_QUERY, isHeadersEditorEnabled: true, shouldPersistHeaders: true }),
);
