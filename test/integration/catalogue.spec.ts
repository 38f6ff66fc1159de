// The public catalogue. The programs tests read cities of their own (`seed.city()`), so every list
// is exactly what the test made, and they run at once.
import { afterAll, beforeAll, describe, expect, type ExpectStatic, it } from 'vitest';
import type { CitiesQuery, ProgramsQuery, ProgramsQueryVariables } from '../generated/operations.js';
import { TestApi } from '../support/api.js';
import { type ProviderHandle, Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;
beforeAll(async () => {
  api = await TestApi.start();
  seed = new Seed(api);
});
afterAll(() => api?.close());

const programs = (variables: ProgramsQueryVariables, creds = {}) => api.operation<ProgramsQuery, ProgramsQueryVariables>('Programs', variables, creds);

const ids = (res: ProgramsQuery) => res.programs.edges.map((e) => e.node.id);
/** A lookup of a program the caller may not see answers as for one that does not exist: null with NOT_FOUND. */
const expectNoProgram = async (expect: ExpectStatic, id: string) => {
  const res = await api.request(`query($id: ID!) { program(id: $id) { id } }`, { id });
  expect(res.body.data).toEqual({ program: null });
  expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
};

describe.concurrent('cities', () => {
  it('lists the six pilot cities with Kazakh and Russian names', async ({ expect }) => {
    // Tests add cities of their own (TEST_ and ten letters) to the shared database; production has the pilot cities only.
    const own = await seed.city({ name: 'Сынақ қаласы', timezone: 'Asia/Aqtobe' });
    const { cities } = await api.operation<CitiesQuery>('Cities');
    const testCities = cities.filter((c) => /^TEST_[A-Z]{10}$/.test(c.code));
    expect(cities.filter((c) => !testCities.includes(c)).map((c) => c.code)).toEqual(['AKTOBE', 'ASTANA', 'ATYRAU', 'KARAGANDA', 'KYZYLORDA', 'SHYMKENT']);
    expect(cities.find((c) => c.code === 'AKTOBE')).toEqual({ code: 'AKTOBE', name: { kk: 'Ақтөбе', ru: 'Актобе', en: 'Aktobe' }, timezone: 'Asia/Aqtobe' });
    // Listed in code order, a new city as it was made.
    expect(cities.map((c) => c.code)).toEqual(cities.map((c) => c.code).sort());
    expect(cities.find((c) => c.code === own)).toEqual({ code: own, name: { kk: 'Сынақ қаласы', ru: 'Сынақ қаласы', en: 'Сынақ қаласы' }, timezone: 'Asia/Aqtobe' });
  });
});

describe.concurrent('programs', () => {
  let city: string;
  let school: ProviderHandle;
  let studio: ProviderHandle;
  let robotics: string;
  let football: string;
  let painting: string;

  beforeAll(async () => {
    city = await seed.city();
    school = await seed.provider({ city, kind: 'SCHOOL' }).approved();
    studio = await seed.provider({ city, kind: 'PRIVATE' }).approved();
    robotics = (await seed.program(school, { direction: 'EDUCATIONAL', minAge: 8, maxAge: 12, seats: 15 })).id;
    football = (await seed.program(studio, { direction: 'SPORTS', minAge: 6, maxAge: 10, title: { kk: 'Футбол', ru: 'Футбол' } })).id;
    painting = (await seed.program(studio, { direction: 'CREATIVE', minAge: 10, maxAge: 16, title: { kk: 'Сурет салу', ru: 'Живопись' } })).id;
  });

  it('filters by city, direction, age and the voucher type a program accepts', async ({ expect }) => {
    // The city is this describe's own: its programs are exactly these three.
    const scope = { providerId: undefined, city };
    const only = async (filter: ProgramsQueryVariables['filter']) => ids(await programs({ filter: { ...scope, ...filter }, first: 100 }));

    expect(await only({})).toEqual([robotics, football, painting]);
    expect(await only({ direction: 'SPORTS' })).toEqual([football]);
    expect(await only({ childAge: 9 })).toEqual([robotics, football]);
    expect(await only({ childAge: 14 })).toEqual([painting]);
    expect(await only({ voucherType: 'TARGETED' })).toEqual([robotics]);
    expect(await only({ voucherType: 'UNIVERSAL' })).toEqual([robotics, football, painting]);
    expect(await only({ providerKind: 'PRIVATE' })).toEqual([football, painting]);
    expect(await only({ hasFreeSeats: true })).toEqual([robotics, football, painting]);
    expect(await only({ hasFreeSeats: false })).toEqual([]);
    expect(ids(await programs({ filter: { city: 'ASTANA', providerId: studio.id } }))).toEqual([]);
    expect(ids(await programs({ filter: { city: city.toLowerCase(), providerId: studio.id } }))).toEqual([football, painting]);
  });

  it('says which voucher types a program accepts, from its provider’s kind', async ({ expect }) => {
    const res = await programs({ filter: { providerId: school.id } });
    expect(res.programs.edges[0]?.node).toMatchObject({
      id: robotics,
      acceptsVoucherTypes: ['TARGETED', 'UNIVERSAL'],
      provider: { id: school.id, kind: 'SCHOOL' },
      city: { code: city },
      freeSeats: 15,
    });
    const studioPrograms = await programs({ filter: { providerId: studio.id } });
    expect(studioPrograms.programs.edges.map((e) => e.node.acceptsVoucherTypes)).toEqual([['UNIVERSAL'], ['UNIVERSAL']]);
  });

  it('pages forward with cursors and counts the whole list', async ({ expect }) => {
    const filter = { providerId: studio.id };
    const first = await programs({ filter, first: 1 });
    expect(first.programs).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true } });
    expect(ids(first)).toEqual([football]);
    const second = await programs({ filter, first: 1, after: first.programs.pageInfo.endCursor });
    expect(ids(second)).toEqual([painting]);
    expect(second.programs.pageInfo.hasNextPage).toBe(false);
  });

  it('hides programs of providers that are not approved from the public, but not from their staff', async ({ expect }) => {
    const own = await seed.city();
    const pending = await seed.provider({ city: own }).pending();
    const hidden = (await seed.program(pending)).id;
    expect(ids(await programs({ filter: { providerId: pending.id } }))).toEqual([]);
    expect(ids(await programs({ filter: { city: own } }))).toEqual([]);
    await expectNoProgram(expect, hidden);
    const staffView = await programs({ filter: { providerId: pending.id } }, { token: pending.token });
    expect(ids(staffView)).toEqual([hidden]);
    const operatorView = await programs({ filter: { providerId: pending.id } }, { token: await seed.operator(own) });
    expect(ids(operatorView)).toEqual([hidden]);
  });

  it('lets a provider close a program, which leaves the public catalogue', async ({ expect }) => {
    const own = await seed.city();
    const studio = await seed.provider({ city: own, kind: 'PRIVATE' }).approved();
    const program = await seed.program(studio, { direction: 'SPORTS' });
    expect(ids(await programs({ filter: { city: own } }))).toEqual([program.id]);
    expect(program).toMatchObject({ seats: 20, freeSeats: 20, active: true });
    const { updateProgram } = await api.data(
      `mutation($input: UpdateProgramInput!) { updateProgram(input: $input) { program { id active seats freeSeats title { kk ru } } } }`,
      { input: { programId: program.id, active: false, seats: 30, title: { kk: 'Күрес', ru: 'Борьба' } } },
      { token: studio.token },
    );
    expect(updateProgram.program).toEqual({ id: program.id, active: false, seats: 30, freeSeats: 30, title: { kk: 'Күрес', ru: 'Борьба' } });
    await expectNoProgram(expect, program.id);
    expect(ids(await programs({ filter: { city: own } }))).toEqual([]);
  });
});

// Not concurrent: api.statements counts every statement this file's server sends.
describe('statement count', () => {
  it('does not grow with the page size: relations are batched per request', async () => {
    const city = await seed.city();
    const providers = await Promise.all([1, 2, 3].map(() => seed.provider({ city, kind: 'STATE_INSTITUTION' }).approved()));
    for (const provider of providers) for (let i = 0; i < 20; i++) await seed.program(provider);
    const query = `query($first: Int) { programs(first: $first, filter: { city: "${city}" }) { edges { node { id provider { name } city { name { kk } } } } } }`;

    const countFor = async (first: number) => {
      api.statements = 0;
      const res = await api.data(query, { first });
      expect(res.programs.edges).toHaveLength(first);
      return api.statements;
    };
    const small = await countFor(5);
    const large = await countFor(50);
    // the filter's city, programs, providers (one batch), cities (one batch)
    expect(small).toBe(4);
    expect(large).toBe(4);
  });
});
