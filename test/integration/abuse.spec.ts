// Abuse that used to get through (issue 10 §4): cost counted without variables, unbounded nested
// lists, no rate limits, tokens without expiry, revoked keys keeping their sockets, and client
// mistakes answered with 500s.
import { Writable } from 'node:stream';
import { SignJWT } from 'jose';
import { pino } from 'pino';
import {
  buildSchema,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import fs from 'node:fs';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_JWT_SECRET, TestApi } from '../support/api.js';
import { randomIin, randomParentIin } from '../support/ids.js';
import { Seed } from '../support/seed.js';

const SCHEMA = buildSchema(fs.readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));

/** Log lines at error level, to check that a client's mistake is not logged as unexpected. */
const logged: string[] = [];
const log = pino({ level: 'error' }, new Writable({ write: (chunk, _enc, done) => void (logged.push(String(chunk)), done()) }));
const unexpectedLogged = () => logged.filter((line) => /unexpected error|subscription error/.test(line));

let api: TestApi;
let seed: Seed;
beforeAll(async () => {
  // The sweeps below send a few hundred requests as one admin: more than a person would, so say so.
  api = await TestApi.start({ log, rateLimits: { mutationsPerCaller: 1000, requestsPerCaller: 5000 } });
  seed = new Seed(api);
});
afterAll(() => api?.close());

const firstError = (res: { body: any }) => res.body.errors?.[0];
const PROGRAM_FIELDS = `id title { kk ru en } direction minAge maxAge seats freeSeats language provider { id name kind } city { code }`;

/** Resolves with the errors a subscription is answered with (rejects on data). */
function subscriptionErrors(client: Client, query: string, variables: Record<string, unknown> = {}): Promise<any[]> {
  return new Promise((resolve, reject) => {
    client.subscribe(
      { query, variables },
      {
        next: (value) => reject(new Error(`unexpected data ${JSON.stringify(value)}`)),
        error: (errors) => resolve(errors as any[]),
        complete: () => reject(new Error('completed without an error')),
      },
    );
  });
}

/** Resolves with the close code once the client's socket closes. */
const closeCode = (client: Client) => new Promise<number>((resolve) => client.on('closed', (event) => resolve((event as { code: number }).code)));

/** Resolves once a subscription has sent its first message. */
function firstMessage(client: Client, query: string, variables: Record<string, unknown> = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    client.subscribe({ query, variables }, { next: resolve, error: reject, complete: () => undefined });
  });
}

describe('the cost limit counts variables', () => {
  const aliases = (first: string) => Array.from({ length: 15 }, (_, i) => `p${i}: programs(first: ${first}) { totalCount edges { cursor node { ${PROGRAM_FIELDS} } } }`).join(' ');

  it('refuses the same query whether the page size is a literal or a variable', async () => {
    const literal = await api.request(`{ ${aliases('100')} }`);
    expect(literal.status).toBe(400);
    expect(firstError(literal)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'COST_LIMIT', maxCost: 50000 } });

    const variable = await api.request(`query($n: Int) { ${aliases('$n')} }`, { n: 100 });
    expect(variable.status).toBe(400);
    expect(firstError(variable)).toMatchObject({
      message: expect.stringContaining('Query Cost limit of 50000 exceeded'),
      extensions: { code: 'BAD_USER_INPUT', reason: 'COST_LIMIT', cost: firstError(literal).extensions.cost },
    });
    expect(variable.body.data).toBeUndefined();
  });

  it('serves the same query with a small page size', async () => {
    const small = await api.request(`query($n: Int) { ${aliases('$n')} }`, { n: 1 });
    expect(small.body.errors).toBeUndefined();
    expect(small.body.data!.p14.edges.length).toBeLessThanOrEqual(1);
  });
});

describe('the cost limit of signed-in staff', () => {
  it('lets an operator read a statement that would cost a family or an anonymous caller too much', async () => {
    const statement = `query($id: ID!) { payment(id: $id) { lines { confirmedMinutes amount { tiyn } enrollment { id } attendances { sessionDate } } } }`;
    const id = '0190f0e0-0000-7000-8000-000000000000';
    const anonymous = await api.request(statement, { id });
    expect(firstError(anonymous).extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'COST_LIMIT', maxCost: 50000 });
    const family = await seed.parent().withChild(0);
    expect(firstError(await api.request(statement, { id }, { token: family.token })).extensions.reason).toBe('COST_LIMIT');
    const operator = await api.request(statement, { id }, { token: await seed.operator('ASTANA') });
    // None with that id: the query itself ran (a lookup of nothing answers null with NOT_FOUND).
    expect(operator.body.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    expect(operator.body.data).toEqual({ payment: null });
  });
});

describe('every list field is bounded', () => {
  it('gives every list of objects in the schema a size: a connection with `first`, or a cap', () => {
    const unbounded: string[] = [];
    for (const type of Object.values(SCHEMA.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        if (!isListType(getNullableType(field.type)) || isLeafType(getNamedType(field.type))) continue;
        const paged = field.args.some((a) => a.name === 'first');
        const capped = /At most \d+/.test(field.description ?? '');
        const edges = field.name === 'edges' && type.name.endsWith('Connection');
        if (!paged && !capped && !edges) unbounded.push(`${type.name}.${field.name}`);
      }
    }
    expect(unbounded).toEqual([]);
  });

  it('refuses the nested-list bomb before running it', async () => {
    const family = await seed.parent().withChild(1);
    const bomb = `{ myChildren { voucher { enrollments { voucher { enrollments { voucher { enrollments { id } } } } } } } }`;
    const res = await api.request(bomb, {}, { token: family.token });
    expect(res.status).toBe(400);
    expect(firstError(res).extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'COST_LIMIT' });
    expect(firstError(res).extensions.cost).toBeGreaterThan(100_000);
  });

  it('serves a family’s ordinary overview', async () => {
    const family = await seed.parent().withChild(2);
    const res = await api.request(
      `{ myChildren { id fullName applications { id status position } attendances { id status } voucher { id status enrollments { id status program { id title { kk ru } } } } } }`,
      {},
      { token: family.token },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.myChildren).toHaveLength(2);
  });

  it('caps a nested list where it is read', async () => {
    const family = await seed.parent().withChild(1);
    const childId = family.children[0]!.id;
    const applicationId = await seed.apply(family, 0, 'UNIVERSAL', 'ASTANA');
    // 25 more, as years of cancelled and renewed applications would leave: more than the cap of 20.
    await api.sql(
      `insert into application (id, child_id, applicant_id, city_id, voucher_type, status, priority_category, priority_rank, submitted_at, rules_version)
       select gen_random_uuid(), child_id, applicant_id, city_id, voucher_type, 'CANCELLED', priority_category, priority_rank, submitted_at - make_interval(days => g), rules_version
       from application, generate_series(1, 25) g where id = ?`,
      [applicationId],
    );
    const res = await api.data(`query($id: ID!) { child(id: $id) { applications { id } } }`, { id: childId }, { token: family.token });
    expect(res.child.applications).toHaveLength(20);
  });
});

describe('rate limits', () => {
  it('stops 200 parallel registerChild probes from one credential, writing nothing for the refused ones', async () => {
    const own = await TestApi.start();
    try {
      const token = await own.token({ role: 'PARENT', sub: randomParentIin(), name: 'Тест', phone: '+77011234567' });
      // Born in 2019, which no other test's children are: a random IIN must not be one of theirs.
      const iins = Array.from({ length: 200 }, (_, i) => randomIin(`2019-0${1 + (i % 9)}-1${i % 10}`, i % 2 ? 'FEMALE' : 'MALE'));
      const results = await Promise.all(
        iins.map((iin) =>
          own.request(`mutation($input: RegisterChildInput!) { registerChild(input: $input) { child { id } } }`, { input: { iin, fullName: 'Проба Баласы', relationship: 'MOTHER' } }, { token }),
        ),
      );
      const limited = results.filter((r) => firstError(r)?.extensions?.code === 'RATE_LIMITED');
      expect(limited).toHaveLength(140); // 60 mutations a minute per caller by default
      for (const res of limited) {
        expect(res.status).toBe(429);
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        expect(firstError(res).extensions).toMatchObject({ limit: 'mutationsPerCaller', retryAfter: Number(res.headers['retry-after']) });
        expect(res.body.data).toBeUndefined();
      }
      const refusedIins = iins.filter((_, i) => firstError(results[i]!)?.extensions?.code === 'RATE_LIMITED');
      const written = await own.sql(`select id from child where iin = any(?::text[])`, [`{${refusedIins.join(',')}}`]);
      expect(written).toEqual([]);
    } finally {
      await own.close();
    }
  });

  it('limits requests per client address, with Retry-After', async () => {
    const own = await TestApi.start({ rateLimits: { requestsPerAddress: 3 } });
    try {
      for (let i = 0; i < 3; i++) expect((await own.request(`{ cities { code } }`)).status).toBe(200);
      const res = await own.request(`{ cities { code } }`);
      expect(res.status).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.body.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'requestsPerAddress', retryAfter: Number(res.headers['retry-after']) });
    } finally {
      await own.close();
    }
  });

  it('believes X-Forwarded-For only from trusted proxies', async () => {
    const viaTcp = (api: TestApi, forwardedFor: string) =>
      fetch(`http://127.0.0.1:${api.server.port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
        body: JSON.stringify({ query: '{ me { role } }' }),
      }).then((r) => r.status);
    const behindProxy = await TestApi.start({ rateLimits: { requestsPerAddress: 1 }, trustProxy: ['loopback'] });
    const direct = await TestApi.start({ rateLimits: { requestsPerAddress: 1 } });
    try {
      expect(await viaTcp(behindProxy, '203.0.113.5')).toBe(200);
      expect(await viaTcp(behindProxy, '203.0.113.5')).toBe(429);
      expect(await viaTcp(behindProxy, '203.0.113.6')).toBe(200); // another client behind the same proxy
      expect(await viaTcp(direct, '203.0.113.5')).toBe(200);
      expect(await viaTcp(direct, '203.0.113.6')).toBe(429); // the header is not believed: same peer
    } finally {
      await Promise.all([behindProxy.close(), direct.close()]);
    }
  });

  it('limits subscriptions per WebSocket connection', async () => {
    const own = await TestApi.start({ rateLimits: { subscriptionsPerConnection: 3 } });
    const client = own.wsClient();
    try {
      const metrics = `subscription { queueMetrics(city: "ASTANA", voucherType: TARGETED) { waiting } }`;
      for (let i = 0; i < 3; i++) await firstMessage(client, metrics);
      const errors = await subscriptionErrors(client, metrics);
      expect(errors[0]).toMatchObject({ extensions: { code: 'RATE_LIMITED', limit: 'subscriptionsPerConnection' } });
    } finally {
      await client.dispose();
      await own.close();
    }
  });

  it('counts subscribes against the address’s rate, with retryAfter in the error', async () => {
    const own = await TestApi.start({ rateLimits: { requestsPerAddress: 3 } });
    const client = own.wsClient();
    try {
      const metrics = `subscription { queueMetrics(city: "ASTANA", voucherType: TARGETED) { waiting } }`;
      await firstMessage(client, metrics); // the connect and this subscribe: 2 of 3
      await firstMessage(client, metrics);
      const errors = await subscriptionErrors(client, metrics);
      expect(errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'requestsPerAddress', retryAfter: expect.any(Number) });
      expect(errors[0].extensions.retryAfter).toBeGreaterThan(0);
      expect(errors[0].extensions.http).toBeUndefined();
    } finally {
      await client.dispose();
      await own.close();
    }
  });

  it('accepts at most 25 subscriptions on one anonymous socket by default', async () => {
    const client = api.wsClient();
    try {
      const metrics = `subscription { queueMetrics(city: "ASTANA", voucherType: UNIVERSAL) { waiting } }`;
      await Promise.all(Array.from({ length: 25 }, () => firstMessage(client, metrics)));
      const errors = await subscriptionErrors(client, metrics);
      expect(errors[0].extensions.code).toBe('RATE_LIMITED');
    } finally {
      await client.dispose();
    }
  });

  it('limits WebSocket connections per client address, closing the extra one with 4429', async () => {
    const own = await TestApi.start({ rateLimits: { connectionsPerAddress: 2 } });
    const metrics = `subscription { queueMetrics(city: "ASTANA", voucherType: TARGETED) { waiting } }`;
    const [a, b, c] = [own.wsClient(), own.wsClient(), own.wsClient()];
    try {
      await firstMessage(a!, metrics);
      await firstMessage(b!, metrics);
      const closed = closeCode(c!);
      c!.subscribe({ query: metrics }, { next: () => undefined, error: () => undefined, complete: () => undefined });
      expect(await closed).toBe(4429);
      // A closed connection gives its place back (once the server has seen it close).
      await a!.dispose();
      let reopened = false;
      for (let attempt = 0; attempt < 100 && !reopened; attempt++) {
        const client = own.wsClient();
        reopened = await firstMessage(client, metrics).then(() => true, () => false);
        await client.dispose();
        if (!reopened) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(reopened).toBe(true);
    } finally {
      await Promise.all([a, b, c].map((x) => x!.dispose()));
      await own.close();
    }
  });
});

describe('credentials', () => {
  it('refuses a token without an expiry', async () => {
    const forever = await new SignJWT({ role: 'ADMIN', sub: 'forever' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer('kezek')
      .setAudience('kezek-api')
      .setIssuedAt()
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    const res = await api.request(`{ me { role } }`, {}, { token: forever });
    expect(res.status).toBe(401);
    expect(firstError(res).extensions.code).toBe('UNAUTHENTICATED');
  });

  const createKey = async (target: TestApi) => {
    const admin = await target.token({ role: 'ADMIN', sub: 'key-admin' });
    const { createApiKey } = await target.data(`mutation { createApiKey(input: { name: "Partner dashboard" }) { key apiKey { id } } }`, {}, { token: admin });
    const revoke = () => target.data(`mutation($id: ID!) { revokeApiKey(input: { apiKeyId: $id }) { apiKey { id } } }`, { id: createApiKey.apiKey.id }, { token: admin });
    return { key: createApiKey.key as string, revoke };
  };

  it('closes the sockets a revoked API key opened, with 4403', async () => {
    const own = await TestApi.start({ apiKeyRecheckMs: 50 });
    try {
      const { key, revoke } = await createKey(own);
      const client = own.wsClient({ apiKey: key });
      await firstMessage(client, `subscription { queueMetrics(city: "ASTANA", voucherType: TARGETED) { waiting } }`);
      const closed = closeCode(client);
      await revoke();
      expect(await closed).toBe(4403);
      await client.dispose();
    } finally {
      await own.close();
    }
  });

  it('opens no new subscription on a socket whose API key was revoked', async () => {
    const { key, revoke } = await createKey(api); // default re-check every 10 s: the subscribe itself must notice
    const client = api.wsClient({ apiKey: key });
    try {
      const metrics = `subscription { queueMetrics(city: "ASTANA", voucherType: TARGETED) { waiting } }`;
      await firstMessage(client, metrics);
      await revoke();
      const closed = closeCode(client);
      const errors = await Promise.race([subscriptionErrors(client, metrics), closed.then(() => [{ extensions: { code: 'CLOSED' } }])]);
      expect(['UNAUTHENTICATED', 'CLOSED']).toContain(errors[0].extensions.code);
      expect(await closed).toBe(4403);
    } finally {
      await client.dispose();
    }
  });
});

// ---- Client mistakes are never 500s: swept over the whole schema ----

interface Slot {
  path: string;
  type: 'ID' | 'String';
}

/** A value of the type that passes GraphQL's own coercion; `hole` is put at `target`. */
function sample(type: GraphQLInputType, path: string, target: string, hole: unknown): unknown {
  if (path === target) return hole;
  if (isNonNullType(type)) return sample(type.ofType, path, target, hole);
  if (isListType(type)) return [sample(type.ofType, `${path}[0]`, target, hole)];
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      const inner = `${path}.${field.name}`;
      if (isNonNullType(field.type) || target.startsWith(`${inner}.`) || target.startsWith(`${inner}[`) || target === inner) value[field.name] = sample(field.type, inner, target, hole);
    }
    return value;
  }
  if (isEnumType(type)) return type.getValues()[0]!.name;
  switch (type.name) {
    case 'ID':
      return '0190f0e0-0000-7000-8000-000000000000';
    case 'Int':
    case 'SafeInt':
      return 1;
    case 'Float':
      return 1;
    case 'Boolean':
      return false;
    case 'DateTime':
      return '2026-01-01T00:00:00Z';
    case 'LocalDate':
      return '2026-01-01';
    default:
      return 'x';
  }
}

/** Every ID and String position in a field's arguments, nested input fields and lists included. */
function slots(args: readonly GraphQLArgument[]): Slot[] {
  const found: Slot[] = [];
  const walk = (type: GraphQLInputType, path: string, seen: Set<string>) => {
    const named = getNamedType(type);
    if (isListType(getNullableType(type))) return walk((getNullableType(type) as { ofType: GraphQLInputType }).ofType, `${path}[0]`, seen);
    if (isInputObjectType(named)) {
      if (seen.has(named.name)) return;
      for (const field of Object.values(named.getFields())) walk(field.type, `${path}.${field.name}`, new Set([...seen, named.name]));
    } else if (named.name === 'ID' || named.name === 'String') found.push({ path, type: named.name });
  };
  for (const arg of args) walk(arg.type, arg.name, new Set());
  return found;
}

/** `field(arg: $arg …) { __typename }` with one variable per argument. */
function operationFor(kind: 'query' | 'mutation' | 'subscription', field: GraphQLField<unknown, unknown>): string {
  const defs = field.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const call = field.args.length ? `(${field.args.map((a) => `${a.name}: $${a.name}`).join(', ')})` : '';
  const leaf = isLeafType(getNamedType(field.type));
  return `${kind}${defs ? `(${defs})` : ''} { ${field.name}${call}${leaf ? '' : ' { __typename }'} }`;
}

function cases(kind: 'query' | 'mutation' | 'subscription') {
  const root = kind === 'query' ? SCHEMA.getQueryType() : kind === 'mutation' ? SCHEMA.getMutationType() : SCHEMA.getSubscriptionType();
  const all: { name: string; field: GraphQLField<unknown, unknown>; slot: Slot }[] = [];
  for (const field of Object.values(root!.getFields())) for (const slot of slots(field.args)) all.push({ name: `${kind} ${field.name} ${slot.path}`, field, slot });
  return all;
}

const variablesFor = (field: GraphQLField<unknown, unknown>, target: string, hole: unknown) =>
  Object.fromEntries(field.args.filter((a) => isNonNullType(a.type) || target === a.name || target.startsWith(`${a.name}.`) || target.startsWith(`${a.name}[`)).map((a) => [a.name, sample(a.type, a.name, target, hole)]));

describe('client mistakes are never 500s', () => {
  const httpCases = [...cases('query'), ...cases('mutation')];

  it('finds the ID and text arguments to sweep', () => {
    const names = httpCases.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['query auditLog filter.entityId', 'query attendances filter.programId', 'mutation registerChild input.fullName']));
  });

  it.each(httpCases.filter((c) => c.slot.type === 'ID').map((c) => [c.name, c] as const))('refuses a non-UUID id: %s', async (_name, c) => {
    const admin = await seed.admin();
    const res = await api.request(operationFor(c.field.name in (SCHEMA.getMutationType()!.getFields()) ? 'mutation' : 'query', c.field), variablesFor(c.field, c.slot.path, 'not-a-uuid'), { token: admin });
    expect(res.status).toBe(400);
    expect(firstError(res).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: c.slot.path });
  });

  it.each(httpCases.map((c) => [c.name, c] as const))('refuses a NUL character: %s', async (_name, c) => {
    const admin = await seed.admin();
    const hole = c.slot.type === 'ID' ? '0190f0e0-0000-7000-8000-00000000\u00000' : 'a\u0000b';
    const res = await api.request(operationFor(c.field.name in (SCHEMA.getMutationType()!.getFields()) ? 'mutation' : 'query', c.field), variablesFor(c.field, c.slot.path, hole), { token: admin });
    expect(res.status).toBe(400);
    expect(firstError(res).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: c.slot.path });
  });

  it('refuses a non-UUID id and a NUL written inline in the query, not only in variables', async () => {
    const admin = await seed.admin();
    const inline = await api.request(`{ auditLog(filter: { entityId: "nope" }) { totalCount } }`, {}, { token: admin });
    expect(firstError(inline).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.entityId' });
    const nul = await api.request(`{ programs(filter: { city: "AST\\u0000ANA" }) { totalCount } }`);
    expect(firstError(nul).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.city' });
  });

  it.each(cases('subscription').map((c) => [c.name, c] as const))('refuses a bad argument over WebSocket: %s', async (_name, c) => {
    const client = api.wsClient({ authorization: `Bearer ${await seed.admin()}` });
    try {
      const hole = c.slot.type === 'ID' ? 'not-a-uuid' : 'a\u0000b';
      const errors = await subscriptionErrors(client, operationFor('subscription', c.field), variablesFor(c.field, c.slot.path, hole));
      expect(errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: c.slot.path });
    } finally {
      await client.dispose();
    }
  });

  const connections = Object.values(SCHEMA.getQueryType()!.getFields()).filter((f) => f.args.some((a) => a.name === 'after'));
  const tampered = [
    ['not base64 of anything', '!!!'],
    ['a foreign cursor', Buffer.from('v1:not-a-uuid').toString('base64url')],
    ['an out-of-range queue cursor', Buffer.from('q2:99999|2026-01-05T10:00:00.000000Z|9999999999999999999').toString('base64url')],
    ['a queue cursor with an impossible date', Buffer.from('q2:1|2026-02-30T00:00:00.000000Z|1').toString('base64url')],
  ] as const;

  it('has connections to sweep', () => expect(connections.map((f) => f.name)).toEqual(expect.arrayContaining(['programs', 'queue', 'auditLog', 'attendances'])));

  it.each(connections.flatMap((f) => tampered.map(([what, cursor]) => [f.name, what, f, cursor] as const)))('refuses a tampered cursor on %s: %s', async (_n, _w, field, cursor) => {
    const admin = await seed.admin();
    const variables: Record<string, unknown> = { ...variablesFor(field, '', null), after: cursor };
    if ('city' in variables) variables.city = 'ASTANA';
    const res = await api.request(operationFor('query', field).replace('{ __typename }', '{ totalCount }'), variables, { token: admin });
    expect(res.status).not.toBe(500);
    expect(firstError(res)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'after' } });
  });

  it('answers a persisted-query hash that does not match its text with BAD_USER_INPUT', async () => {
    const res = await api.post(JSON.stringify({ query: '{ cities { code } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }));
    expect(res.status).toBe(400);
    expect(firstError(res)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'PERSISTED_QUERY_HASH_MISMATCH' } });
  });

  it('does not echo long inputs back in full', async () => {
    const long = 'ы'.repeat(20_000);
    const typeError = await api.request(`query($n: Int) { programs(first: $n) { totalCount } }`, { n: long });
    expect(firstError(typeError).extensions.code).toBe('BAD_USER_INPUT');
    expect(firstError(typeError).message.length).toBeLessThan(400);
    const family = await seed.parent().withChild(0);
    const tooLong = await api.request(`mutation($input: RegisterChildInput!) { registerChild(input: $input) { child { id } } }`, { input: { iin: randomIin(), fullName: long, relationship: 'MOTHER' } }, { token: family.token });
    expect(firstError(tooLong).extensions.code).toBe('BAD_USER_INPUT');
    expect(firstError(tooLong).message.length).toBeLessThan(400);
    const unknownCity = await api.request(`query($c: String) { programs(filter: { city: $c }) { totalCount } }`, { c: `X${'Y'.repeat(5000)}` });
    expect(firstError(unknownCity).extensions.code).toBe('BAD_USER_INPUT');
    expect(firstError(unknownCity).message.length).toBeLessThan(1100);
  });

  it('logged none of these mistakes as unexpected', () => {
    expect(unexpectedLogged()).toEqual([]);
  });
});
