// Real parallel requests against one PostgreSQL: the unique constraints and row locks, not the
// service checks alone, decide who wins. Every test makes its own people and providers (in a city
// of its own), so the tests run at once.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { TestApi } from '../support/api.js';
import { randomBin, randomIin, randomParentIin } from '../support/ids.js';
import { Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;
beforeAll(async () => {
  api = await TestApi.start();
  seed = new Seed(api);
});
afterAll(() => api?.close());

const REGISTER_CHILD = `mutation($input: RegisterChildInput!) { registerChild(input: $input) { child { id } } }`;
const codes = (results: { body: { errors?: { extensions?: Record<string, any> }[] } }[]) =>
  results.map((r) => r.body.errors?.[0]?.extensions?.code ?? 'OK').sort();
const sql = async (query: string, params: unknown[] = []) => api.orm.em.fork().getConnection().execute(query, params);
const parentToken = (iin = randomParentIin()) => api.token({ role: 'PARENT', sub: iin, name: 'Ата-ана', phone: '+77017654321' });

describe.concurrent('in parallel', () => {
  it('ten families claiming one child: all get the same answer, exactly one link is verified, the rest wait for an operator', async ({ expect }) => {
    const childIin = randomIin('2015-11-11');
    const tokens = await Promise.all(Array.from({ length: 10 }, () => parentToken()));
    const results = await Promise.all(
      tokens.map((token) => api.request(REGISTER_CHILD, { input: { iin: childIin, fullName: 'Бала', relationship: 'GUARDIAN' } }, { token })),
    );
    expect(codes(results)).toEqual(Array(10).fill('OK'));
    expect(new Set(results.map((r) => r.body.data?.registerChild.child.id)).size).toBe(1);
    // The demo registry confirms every claim; the partial unique index lets only one be verified.
    const rows = await sql(
      `select g.status, count(*)::int as n from guardianship g join child c on c.id = g.child_id where c.iin = ? group by g.status order by g.status`,
      [childIin],
    );
    expect(rows).toEqual([{ status: 'CLAIMED', n: 9 }, { status: 'VERIFIED', n: 1 }]);
  });

  it('one parent submitting the same child ten times: one child, the same answer each time', async ({ expect }) => {
    const token = await parentToken();
    const childIin = randomIin('2014-02-03');
    const results = await Promise.all(
      Array.from({ length: 10 }, () => api.request(REGISTER_CHILD, { input: { iin: childIin, fullName: 'Бала', relationship: 'MOTHER' } }, { token })),
    );
    expect(codes(results)).toEqual(Array(10).fill('OK'));
    expect(new Set(results.map((r) => r.body.data?.registerChild.child.id)).size).toBe(1);
    expect((await sql(`select count(*)::int as n from child where iin = ?`, [childIin]))[0]!.n).toBe(1);
  });

  it('a new parent registering five children at once: one applicant record, five links', async ({ expect }) => {
    const iin = randomParentIin();
    const token = await parentToken(iin);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => api.request(REGISTER_CHILD, { input: { iin: randomIin('2013-07-07'), fullName: 'Бала', relationship: 'FATHER' } }, { token })),
    );
    expect(codes(results)).toEqual(Array(5).fill('OK'));
    expect((await sql(`select count(*)::int as n from applicant where iin = ?`, [iin]))[0]!.n).toBe(1);
    expect((await sql(`select count(*)::int as n from guardianship g join applicant a on a.id = g.applicant_id where a.iin = ?`, [iin]))[0]!.n).toBe(5);
  });

  it('ten registrations of one BIN: one provider', async ({ expect }) => {
    const bin = randomBin();
    const admin = await seed.admin();
    const city = await seed.city();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api.request(`mutation($input: RegisterProviderInput!) { registerProvider(input: $input) { provider { id } } }`, { input: { bin, name: `Провайдер ${i}`, kind: 'PRIVATE', city } }, { token: admin }),
      ),
    );
    expect(codes(results).filter((c) => c === 'OK')).toHaveLength(1);
    expect(codes(results).filter((c) => c === 'CONFLICT')).toHaveLength(9);
    expect((await sql(`select count(*)::int as n from provider where bin = ?`, [bin]))[0]!.n).toBe(1);
    expect((await sql(`select count(*)::int as n from provider p join city c on c.id = p.city_id where c.code = ?`, [city]))[0]!.n).toBe(1);
  });

  it('ten approvals of one provider: one succeeds, the rest are illegal transitions', async ({ expect }) => {
    const city = await seed.city();
    const provider = await seed.provider({ city }).pending();
    const operator = await seed.operator(city);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => api.request(`mutation($id: ID!) { approveProvider(input: { providerId: $id }) { provider { status } } }`, { id: provider.id }, { token: operator })),
    );
    expect(codes(results)).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'OK']);
  });
});
