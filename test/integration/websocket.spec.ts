import WebSocket from 'ws';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { TestApi } from '../support/api.js';

let api: TestApi;
beforeAll(async () => (api = await TestApi.start({ limits: { maxDepth: 4 } })));
afterAll(() => api?.close());

/** Opens a raw graphql-transport-ws socket, sends connection_init, and resolves with the first reply or the close. */
function connectRaw(payload: Record<string, unknown>): Promise<{ ack: boolean; closeCode?: number; socket: WebSocket }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(api.wsUrl, 'graphql-transport-ws');
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'connection_ack') resolve({ ack: true, socket });
    });
    socket.on('close', (code) => resolve({ ack: false, closeCode: code, socket }));
    socket.on('error', reject);
  });
}

/** Subscribes and resolves with the errors the server answers with (or rejects if it sends data). */
function errorsOf(client: Client, query: string): Promise<{ message: string; extensions?: Record<string, unknown> }[]> {
  return new Promise((resolve, reject) => {
    client.subscribe(
      { query },
      {
        next: (value) => reject(new Error(`unexpected data ${JSON.stringify(value)}`)),
        error: (errors) => resolve(errors as never),
        complete: () => reject(new Error('completed without an error')),
      },
    );
  });
}

describe.concurrent('graphql-ws', () => {
  it('refuses a connection whose token is bad with 4403', async ({ expect }) => {
    const result = await connectRaw({ authorization: 'Bearer not-a-token' });
    expect(result).toMatchObject({ ack: false, closeCode: 4403 });
  });

  it('refuses a revoked or invented API key with 4403', async ({ expect }) => {
    const result = await connectRaw({ apiKey: 'kzk_0123456789ab_' + 'x'.repeat(43) });
    expect(result).toMatchObject({ ack: false, closeCode: 4403 });
  });

  it('accepts a valid token and an anonymous dashboard', async ({ expect }) => {
    const token = await api.token({ role: 'OPERATOR', city: 'ASTANA' });
    const signedIn = await connectRaw({ authorization: `Bearer ${token}` });
    expect(signedIn.ack).toBe(true);
    signedIn.socket.close();
    const anonymous = await connectRaw({});
    expect(anonymous.ack).toBe(true);
    anonymous.socket.close();
  });

  it('rejects queries and mutations sent over the socket', async ({ expect }) => {
    const client = api.wsClient();
    try {
      expect(await errorsOf(client, '{ cities { code } }')).toEqual([
        { message: 'Only subscriptions are served over WebSocket; send queries and mutations as HTTP POST.', extensions: { code: 'BAD_USER_INPUT' } },
      ]);
      const mutation = await errorsOf(client, 'mutation { createApiKey(input: { name: "x" }) { key } }');
      expect(mutation[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    } finally {
      await client.dispose();
    }
  });

  it('validates with the same rules as HTTP', async ({ expect }) => {
    const client = api.wsClient();
    try {
      const deep = await errorsOf(client, '{ programs { edges { node { provider { city { code } } } } } }');
      expect(deep).toEqual([{ message: 'Query depth limit of 4 exceeded, found 6.', extensions: { code: 'BAD_USER_INPUT' } }]);
      const misspelt = await errorsOf(client, '{ citiez { code } }');
      expect(misspelt).toEqual([{ message: 'Cannot query field "citiez" on type "Query".', extensions: { code: 'BAD_USER_INPUT' } }]);
    } finally {
      await client.dispose();
    }
  });

  it('re-checks the token’s expiry on every subscribe', async ({ expect }) => {
    const token = await api.token({ role: 'ADMIN', sub: 'short-lived' }, 1);
    const exp = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).exp as number;
    // Connects while the token is valid …
    const { ack, socket } = await connectRaw({ authorization: `Bearer ${token}` });
    expect(ack).toBe(true);
    // … and once it has expired, a new subscription on the same open socket is refused.
    await new Promise((r) => setTimeout(r, Math.max(0, exp * 1000 - Date.now()) + 50));
    const reply = new Promise<any>((resolve) => socket.on('message', (data) => resolve(JSON.parse(String(data)))));
    socket.send(JSON.stringify({ id: 'late', type: 'subscribe', payload: { query: 'subscription { x }' } }));
    expect(await reply).toEqual({
      id: 'late',
      type: 'error',
      payload: [{ message: 'Your token has expired; reconnect with a new one.', extensions: { code: 'UNAUTHENTICATED' } }],
    });
    socket.close();
  });

  it('closes a socket that sends a message over the size limit', async ({ expect }) => {
    const { socket } = await connectRaw({});
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `subscription { x }`, variables: { pad: 'x'.repeat(200 * 1024) } } }));
    expect(await closed).toBe(1009); // message too big
  });
});
