// Who may do what. Every test makes its own people and providers (in cities of its own where a city
// matters), so the tests run at once.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { TestApi } from '../support/api.js';
import { randomBin, randomIin } from '../support/ids.js';
import { Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;
beforeAll(async () => {
  api = await TestApi.start();
  seed = new Seed(api);
});
afterAll(() => api?.close());

const code = (res: { body: { errors?: { extensions?: Record<string, any> }[] } }) => res.body.errors?.[0]?.extensions?.code;

describe.concurrent('anonymous callers', () => {
  it('are PUBLIC', async ({ expect }) => {
    expect(await api.data(`{ me { role name iin } }`)).toEqual({ me: { role: 'PUBLIC', name: null, iin: null } });
  });

  it.for<[string, string]>([
    ['registerProvider', `mutation { registerProvider(input: { bin: "200240000008", name: "X", kind: SCHOOL, city: "ASTANA" }) { provider { id } } }`],
    ['registerChild', `mutation { registerChild(input: { iin: "160520600028", fullName: "X", relationship: MOTHER }) { child { id } } }`],
    ['createProgram', `mutation { createProgram(input: { providerId: "00000000-0000-7000-8000-000000000000", title: { kk: "a", ru: "a" }, direction: SPORTS, minAge: 6, maxAge: 9, seats: 5, language: KK }) { program { id } } }`],
    ['approveProvider', `mutation { approveProvider(input: { providerId: "00000000-0000-7000-8000-000000000000" }) { provider { id } } }`],
  ])('get UNAUTHENTICATED from %s', async ([_name, mutation], { expect }) => {
    const res = await api.request(mutation);
    expect(code(res)).toBe('UNAUTHENTICATED');
    expect(res.body.data).toBeNull();
  });

  it('get UNAUTHENTICATED from myChildren', async ({ expect }) => {
    expect(code(await api.request(`{ myChildren { id } }`))).toBe('UNAUTHENTICATED');
  });

  it('with a bad or expired token are refused, not treated as PUBLIC', async ({ expect }) => {
    const bad = await api.request(`{ me { role } }`, {}, { token: 'not-a-jwt' });
    expect(bad.status).toBe(401);
    expect(code(bad)).toBe('UNAUTHENTICATED');
    const expired = await api.token({ role: 'ADMIN', sub: 'x' }, -10);
    expect(code(await api.request(`{ me { role } }`, {}, { token: expired }))).toBe('UNAUTHENTICATED');
  });
});

describe.concurrent('parents', () => {
  it('see only their own children, by every path', async ({ expect }) => {
    const mine = await seed.parent().withChild(2);
    const theirs = await seed.parent().withChild(1);
    const { myChildren } = await api.data(`{ myChildren { id iin } }`, {}, { token: mine.token });
    expect(myChildren).toEqual(mine.children);

    const stranger = theirs.children[0]!;
    const direct = await api.request(`query($id: ID!) { child(id: $id) { id fullName } }`, { id: stranger.id }, { token: mine.token });
    expect(code(direct)).toBe('NOT_FOUND');
    expect(JSON.stringify(direct.body)).not.toContain(stranger.iin);

    // Registering someone else's child by IIN does not hand over the child: it is only a claim,
    // which shows nothing of the child's record but what this family declared itself.
    const claim = await api.data(
      `mutation($input: RegisterChildInput!) { registerChild(input: $input) { child { id fullName } } }`,
      { input: { iin: stranger.iin, fullName: 'Someone', relationship: 'FATHER' } },
      { token: mine.token },
    );
    expect(claim.registerChild.child).toEqual({ id: stranger.id, fullName: 'Someone' });
    const after = await api.data(`query($id: ID!) { child(id: $id) { fullName link { status } applications { id } voucher { id } } }`, { id: stranger.id }, { token: mine.token });
    expect(after.child).toEqual({ fullName: 'Someone', link: { status: 'CLAIMED' }, applications: [], voucher: null });
    const owner = await api.data(`query($id: ID!) { child(id: $id) { fullName link { status } } }`, { id: stranger.id }, { token: theirs.token });
    expect(owner.child).toEqual({ fullName: 'Бала 1', link: { status: 'VERIFIED' } });
  });

  it('register a child idempotently, reading birth date and sex from the IIN', async ({ expect }) => {
    const parent = seed.parent({ name: 'Ерлан Омаров', phone: '8 (705) 111-22-33' });
    const iin = randomIin('2017-09-01', 'FEMALE');
    const register = `mutation($input: RegisterChildInput!) { registerChild(input: $input) {
      child { id iin fullName birthDate sex priorityCategory link { declaredPriorityCategory priorityCategoryStatus } } } }`;
    const input = { iin, fullName: 'Әлия Омарова', relationship: 'FATHER', priorityCategory: 'LARGE_FAMILY' };
    const first = await api.data(register, { input }, { token: await parent.token() });
    // The declared category is a claim: it counts (priorityCategory) only once the city verifies it.
    expect(first.registerChild.child).toMatchObject({
      iin, fullName: 'Әлия Омарова', birthDate: '2017-09-01', sex: 'FEMALE', priorityCategory: 'NONE',
      link: { declaredPriorityCategory: 'LARGE_FAMILY', priorityCategoryStatus: 'CLAIMED' },
    });
    const again = await api.data(register, { input }, { token: await parent.token() });
    expect(again.registerChild.child.id).toBe(first.registerChild.child.id);
  });

  it('cannot use operator or provider mutations', async ({ expect }) => {
    const family = await seed.parent().withChild();
    const res = await api.request(
      `mutation($input: RegisterProviderInput!) { registerProvider(input: $input) { provider { id } } }`,
      { input: { bin: randomBin(), name: 'Rogue', kind: 'PRIVATE', city: 'ASTANA' } },
      { token: family.token },
    );
    expect(code(res)).toBe('FORBIDDEN');
  });
});

describe.concurrent('providers', () => {
  it('cannot create or edit another provider’s programs', async ({ expect }) => {
    const city = await seed.city();
    const owner = await seed.provider({ city }).approved();
    const rival = await seed.provider({ city }).approved();
    const program = await seed.program(owner);

    const edit = await api.request(
      `mutation($input: UpdateProgramInput!) { updateProgram(input: $input) { program { id } } }`,
      { input: { programId: program.id, seats: 1 } },
      { token: rival.token },
    );
    expect(code(edit)).toBe('FORBIDDEN');
    const create = await api.request(
      `mutation($input: CreateProgramInput!) { createProgram(input: $input) { program { id } } }`,
      { input: { providerId: owner.id, title: { kk: 'а', ru: 'а' }, direction: 'SPORTS', minAge: 6, maxAge: 9, seats: 5, language: 'KK' } },
      { token: rival.token },
    );
    expect(code(create)).toBe('FORBIDDEN');
    const unchanged = await api.data(`query($id: ID!) { program(id: $id) { seats } }`, { id: program.id });
    expect(unchanged.program.seats).toBe(20);
  });

  it('see themselves in `me`', async ({ expect }) => {
    const provider = await seed.provider({ city: await seed.city(), kind: 'PRIVATE' }).pending();
    const { me } = await api.data(`{ me { role provider { id status } } }`, {}, { token: provider.token });
    expect(me).toEqual({ role: 'PROVIDER', provider: { id: provider.id, status: 'PENDING' } });
  });
});

describe.concurrent('operators', () => {
  it('act only in their own city', async ({ expect }) => {
    const [home, elsewhere] = [await seed.city(), await seed.city()];
    const operator = await seed.operator(home);
    const otherBin = randomBin();
    const other = await api.request(
      `mutation($input: RegisterProviderInput!) { registerProvider(input: $input) { provider { id } } }`,
      { input: { bin: otherBin, name: 'Elsewhere', kind: 'SCHOOL', city: elsewhere } },
      { token: operator },
    );
    expect(code(other)).toBe('FORBIDDEN');
    expect(await api.sql(`select id from provider where bin = ?`, [otherBin])).toEqual([]);

    const elsewhereProvider = await seed.provider({ city: elsewhere }).pending();
    const approve = await api.request(`mutation($id: ID!) { approveProvider(input: { providerId: $id }) { provider { status } } }`, { id: elsewhereProvider.id }, { token: operator });
    expect(code(approve)).toBe('FORBIDDEN');

    const own = await api.data(
      `mutation($input: RegisterProviderInput!) { registerProvider(input: $input) { provider { status city { code } } } }`,
      { input: { bin: randomBin(), name: 'Қаланың №12 мектебі', kind: 'SCHOOL', city: home.toLowerCase() } },
      { token: operator },
    );
    expect(own.registerProvider.provider).toEqual({ status: 'PENDING', city: { code: home } });
  });

  it('move providers only through the lifecycle', async ({ expect }) => {
    const city = await seed.city();
    const provider = await seed.provider({ city }).pending();
    const operator = await seed.operator(city);
    const suspendPending = await api.request(`mutation($id: ID!) { suspendProvider(input: { providerId: $id }) { provider { status } } }`, { id: provider.id }, { token: operator });
    expect(suspendPending.body.errors?.[0]).toMatchObject({ message: 'Provider cannot move from PENDING to SUSPENDED.', extensions: { code: 'CONFLICT' } });
    const approved = await api.data(`mutation($id: ID!) { approveProvider(input: { providerId: $id }) { provider { status approvedAt } } }`, { id: provider.id }, { token: operator });
    expect(approved.approveProvider.provider.status).toBe('APPROVED');
    const twice = await api.request(`mutation($id: ID!) { approveProvider(input: { providerId: $id }) { provider { status } } }`, { id: provider.id }, { token: operator });
    expect(code(twice)).toBe('CONFLICT');
  });
});

describe.concurrent('agencies', () => {
  it('use API keys that admins issue and revoke', async ({ expect }) => {
    const admin = await seed.admin();
    const { createApiKey } = await api.data(`mutation { createApiKey(input: { name: "Bureau of National Statistics" }) { key apiKey { id prefix revokedAt } } }`, {}, { token: admin });
    expect(createApiKey.key).toMatch(/^kzk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(createApiKey.key).toContain(createApiKey.apiKey.prefix);

    const viaHeader = await api.data(`{ me { role name } }`, {}, { apiKey: createApiKey.key });
    expect(viaHeader.me).toEqual({ role: 'AGENCY', name: 'Bureau of National Statistics' });
    const viaBearer = await api.data(`{ me { role } }`, {}, { token: createApiKey.key });
    expect(viaBearer.me.role).toBe('AGENCY');

    // Only the hash is stored.
    const rows = await api.orm.em.fork().getConnection().execute(`select secret_hash from api_key where id = ?`, [createApiKey.apiKey.id]);
    expect(rows[0]!.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(createApiKey.key).not.toContain(rows[0]!.secret_hash);

    await api.data(`mutation($id: ID!) { revokeApiKey(input: { apiKeyId: $id }) { apiKey { revokedAt } } }`, { id: createApiKey.apiKey.id }, { token: admin });
    const revoked = await api.request(`{ me { role } }`, {}, { apiKey: createApiKey.key });
    expect(code(revoked)).toBe('UNAUTHENTICATED');
  });

  it('cannot issue API keys themselves', async ({ expect }) => {
    const res = await api.request(`mutation { createApiKey(input: { name: "Me" }) { key } }`, {}, { token: await seed.agency() });
    expect(code(res)).toBe('FORBIDDEN');
  });
});
