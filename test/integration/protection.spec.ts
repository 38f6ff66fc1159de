// Query limits and HTTP protections. The tests run at once, except the one that makes every city
// read of the server fail, which runs alone.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { TestApi } from '../support/api.js';

let api: TestApi;
beforeAll(async () => (api = await TestApi.start()));
afterAll(() => api?.close());

const firstError = (res: { body: any }) => res.body.errors?.[0];

describe.concurrent('query limits', () => {
  it('refuses queries deeper than the limit', async ({ expect }) => {
    const shallow = await TestApi.start({ limits: { maxDepth: 4 } });
    try {
      const ok = await shallow.request(`{ programs(first: 1) { edges { node { id } } } }`);
      expect(ok.body.errors).toBeUndefined();
      const deep = await shallow.request(`{ programs(first: 1) { edges { node { provider { city { code } } } } } }`);
      expect(deep.status).toBe(400);
      expect(firstError(deep)).toMatchObject({ message: expect.stringContaining('Query depth limit of 4 exceeded'), extensions: { code: 'BAD_USER_INPUT' } });
    } finally {
      await shallow.close();
    }
  });

  it('refuses more aliases than the limit', async ({ expect }) => {
    const aliases = Array.from({ length: 16 }, (_, i) => `c${i}: cities { code }`).join(' ');
    const res = await api.request(`{ ${aliases} }`);
    expect(firstError(res)).toMatchObject({ message: expect.stringContaining('Aliases limit of 15 exceeded'), extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('refuses over-wide queries by cost', async ({ expect }) => {
    const fields = `id title { kk ru en } direction minAge maxAge seats freeSeats schedule { weekday startsAt endsAt } language provider { id name bin kind status city { code name { kk ru } } } city { code }`;
    const wide = Array.from({ length: 10 }, (_, i) => `p${i}: programs(first: 100) { totalCount edges { cursor node { ${fields} } } }`).join(' ');
    const res = await api.request(`{ ${wide} }`);
    expect(firstError(res)).toMatchObject({ message: expect.stringContaining('Query Cost limit of 50000 exceeded'), extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('accepts the catalogue page a portal really asks for', async ({ expect }) => {
    const res = await api.request(`{ programs(first: 50) { totalCount edges { node { id title { kk ru } direction provider { name } city { name { kk ru } } } } } }`);
    expect(res.body.errors).toBeUndefined();
  });
});

describe.concurrent('HTTP protections', () => {
  it('refuses batched requests', async ({ expect }) => {
    const res = await api.post(JSON.stringify([{ query: '{ cities { code } }' }, { query: '{ me { role } }' }]));
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/batching/i);
  });

  it('blocks GET requests that could be cross-site (CSRF prevention)', async ({ expect }) => {
    const res = await api.post('', { headers: { 'content-type': 'text/plain' } }, 'GET', '/graphql?query=%7Bcities%7Bcode%7D%7D');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/Cross-Site Request Forgery/);
  });

  it('refuses bodies over the size limit with a GraphQL-shaped error', async ({ expect }) => {
    const res = await api.post(JSON.stringify({ query: `{ cities { code } }`, variables: { pad: 'x'.repeat(110 * 1024) } }));
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ errors: [{ message: 'Request body is larger than 102400 bytes.', extensions: { code: 'BAD_USER_INPUT' } }] });
  });

  it('refuses malformed JSON', async ({ expect }) => {
    const res = await api.post('{"query": ');
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
  });

  it('hides field suggestions outside development', async ({ expect }) => {
    const res = await api.request(`{ citiez { code } }`);
    expect(firstError(res)).toEqual({ message: 'Cannot query field "citiez" on type "Query".', locations: [{ line: 1, column: 3 }], extensions: { code: 'BAD_USER_INPUT', reason: 'GRAPHQL_VALIDATION_FAILED' } });
  });

  it('keeps introspection on by default (partners point their tooling at the endpoint)', async ({ expect }) => {
    const res = await api.data(`{ __schema { queryType { name } } }`);
    expect(res).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('can turn introspection off', async ({ expect }) => {
    const closed = await TestApi.start({ introspection: false });
    try {
      const res = await closed.request(`{ __schema { queryType { name } } }`);
      expect(firstError(res).extensions.code).toBe('BAD_USER_INPUT');
      expect(firstError(res).message).toMatch(/introspection/i);
    } finally {
      await closed.close();
    }
  });

  it('answers health and readiness probes, and tags responses with a request id', async ({ expect }) => {
    expect((await api.post('', {}, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await api.post('', {}, 'GET', '/readyz')).body).toEqual({ status: 'ready' });
    const res = await api.request(`{ me { role } }`, {}, { headers: { 'x-request-id': 'trace-123' } });
    expect(res.headers['x-request-id']).toBe('trace-123');
  });
});

// Its failing statement would fail any request of this server that reads cities: it runs alone.
describe('unexpected errors', () => {
  it('masks unexpected errors', async ({ expect }) => {
    // A failing SQL statement stands in for any bug: its text must not reach the client.
    const knex = api.orm.em.getConnection().getKnex();
    const spy = (query: { sql: string }) => {
      if (query.sql.includes('from "city"')) throw new Error('relation "secret_table" does not exist');
    };
    knex.on('query', spy);
    try {
      const res = await api.request(`{ cities { code } }`);
      expect(res.body.errors).toEqual([{ message: 'Internal server error', path: ['cities'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
      expect(JSON.stringify(res.body)).not.toContain('secret_table');
    } finally {
      knex.off('query', spy);
    }
  });
});
