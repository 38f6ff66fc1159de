// The pages talk to Kezek only through its public GraphQL contract: queries over HTTP POST,
// subscriptions over graphql-ws on the same URL.
import { createClient, type Client } from 'graphql-ws';

const HTTP_URL = '/graphql';
const WS_URL = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

export async function query<T>(document: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const response = await fetch(HTTP_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: document, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length) throw new ApiError(body.errors[0]!.message, body.errors[0]!.extensions?.code);
  return body.data!;
}

export type ConnectionState = 'connecting' | 'live' | 'offline';

/** One socket per page; reconnects forever (a dashboard on a wall must survive a server restart). */
export function connect(token: string | undefined, onState: (state: ConnectionState) => void): Client {
  return createClient({
    url: WS_URL,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    lazy: false,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    on: {
      connecting: () => onState('connecting'),
      connected: () => onState('live'),
      closed: () => onState('offline'),
    },
  });
}

/** Runs a subscription; every reconnect restarts it, and the server answers with a fresh snapshot first. */
export function subscribe<T>(client: Client, document: string, variables: Record<string, unknown>, next: (data: T) => void, error: (err: ApiError) => void): () => void {
  return client.subscribe<T>(
    { query: document, variables },
    {
      next: (result) => {
        if (result.errors?.length) error(new ApiError(result.errors[0]!.message, (result.errors[0]!.extensions as { code?: string } | undefined)?.code));
        else if (result.data) next(result.data as T);
      },
      error: (err) => error(new ApiError(err instanceof Error ? err.message : 'connection failed', undefined)),
      complete: () => {},
    },
  );
}
