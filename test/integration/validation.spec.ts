// Bad input to the people and catalogue mutations is BAD_USER_INPUT with the field named, and writes
// nothing. Each test checks the rows its request could have written (the people, BIN and provider it
// named), so the tests run at once and other files' writes never count.
import { afterAll, beforeAll, describe, type ExpectStatic, it } from 'vitest';
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

/** What a request names: the parent and child (by IIN), the provider (by BIN or id) it would write. */
interface Named {
  parentIins?: string[];
  childIins?: string[];
  bins?: string[];
  providerIds?: string[];
}

/** Rows of every people and catalogue table about what the request named, to prove a refused request wrote nothing. */
async function counts(named: Named): Promise<Record<string, number>> {
  const [parents, children, bins, providers] = [named.parentIins ?? [], named.childIins ?? [], named.bins ?? [], named.providerIds ?? []];
  // Each list as one JSON parameter (an empty list matches nothing).
  const [row] = await api.sql(
    `with parents as (select jsonb_array_elements_text(?::jsonb) as iin), children as (select jsonb_array_elements_text(?::jsonb) as iin),
          bins as (select jsonb_array_elements_text(?::jsonb) as bin), providers as (select jsonb_array_elements_text(?::jsonb)::uuid as id)
     select (select count(*) from applicant where iin in (select iin from parents))::int as applicant,
            (select count(*) from child where iin in (select iin from children))::int as child,
            (select count(*) from guardianship g where g.applicant_id in (select id from applicant where iin in (select iin from parents))
                                                 or g.child_id in (select id from child where iin in (select iin from children)))::int as guardianship,
            (select count(*) from provider where bin in (select bin from bins) or id in (select id from providers))::int as provider,
            (select count(*) from program where provider_id in (select id from providers) or provider_id in (select id from provider where bin in (select bin from bins)))::int as program`,
    [parents, children, bins, providers].map((list) => JSON.stringify(list)),
  );
  return row!;
}

async function expectRefused(expect: ExpectStatic, named: Named, run: () => Promise<any>, field: string, message: RegExp) {
  const before = await counts(named);
  const res = await run();
  expect(res.body.data).toBeNull();
  expect(res.body.errors).toHaveLength(1);
  expect(res.body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field });
  expect(res.body.errors[0].message).toMatch(message);
  expect(await counts(named)).toEqual(before);
}

const REGISTER_CHILD = `mutation($input: RegisterChildInput!) { registerChild(input: $input) { child { id } } }`;
const REGISTER_PROVIDER = `mutation($input: RegisterProviderInput!) { registerProvider(input: $input) { provider { id } } }`;

describe.concurrent('IINs', () => {
  const validChild = () => randomIin('2016-04-02');
  const withWrongCheckDigit = (iin: string) => iin.slice(0, 11) + ((Number(iin[11]) + 1) % 10);

  it.for<[string, () => string, RegExp]>([
    ['a wrong check digit', () => withWrongCheckDigit(validChild()), /check digit/],
    ['eleven digits', () => validChild().slice(0, 11), /exactly 12 digits/],
    ['letters', () => 'ABCDEFGHIJKL', /exactly 12 digits/],
    ['a date that does not exist', () => '160231500007', /does not exist/],
    ['a bad century digit', () => '160402900001', /century/],
    ['an adult’s IIN', () => randomParentIin(), /adult/],
  ])('refuses %s', async ([_what, iin, message], { expect }) => {
    const parent = seed.parent();
    const childIin = iin();
    await expectRefused(
      expect,
      { parentIins: [parent.iin], childIins: [childIin] },
      async () => api.request(REGISTER_CHILD, { input: { iin: childIin, fullName: 'Бала', relationship: 'MOTHER' } }, { token: await parent.token() }),
      'input.iin',
      message,
    );
  });

  it('refuses a birth date that disagrees with the IIN', async ({ expect }) => {
    const parent = seed.parent();
    const childIin = randomIin('2016-04-02');
    await expectRefused(
      expect,
      { parentIins: [parent.iin], childIins: [childIin] },
      async () => api.request(REGISTER_CHILD, { input: { iin: childIin, birthDate: '2016-04-03', fullName: 'Бала', relationship: 'MOTHER' } }, { token: await parent.token() }),
      'input.birthDate',
      /encodes the birth date 2016-04-02/,
    );
  });

  it('refuses a token whose PARENT subject is not a valid IIN', async ({ expect }) => {
    const forged = await api.token({ role: 'PARENT', sub: '123456789012' });
    const res = await api.request(`{ me { role } }`, {}, { token: forged });
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
  });
});

describe.concurrent('phone numbers', () => {
  it.for(['+79161234567', '12345', '+7 701 123'])('refuses %j on a parent’s first registration', async (phone, { expect }) => {
    const iin = randomParentIin();
    const token = await api.token({ role: 'PARENT', sub: iin });
    const childIin = randomIin();
    await expectRefused(
      expect,
      { parentIins: [iin], childIins: [childIin] },
      () => api.request(REGISTER_CHILD, { input: { iin: childIin, fullName: 'Бала', relationship: 'MOTHER', parent: { fullName: 'Ана', phone, language: 'KK' } } }, { token }),
      'input.parent.phone',
      /\+7 format/,
    );
  });

  it('asks for a phone when neither the token nor the input has one', async ({ expect }) => {
    const iin = randomParentIin();
    const token = await api.token({ role: 'PARENT', sub: iin, name: 'Ана' });
    const childIin = randomIin();
    await expectRefused(
      expect,
      { parentIins: [iin], childIins: [childIin] },
      () => api.request(REGISTER_CHILD, { input: { iin: childIin, fullName: 'Бала', relationship: 'MOTHER' } }, { token }),
      'input.parent.phone',
      /phone number/,
    );
  });

  it('stores a phone given with spaces and a leading 8 in +7 form', async ({ expect }) => {
    const iin = randomParentIin();
    const token = await api.token({ role: 'PARENT', sub: iin });
    await api.data(REGISTER_CHILD, { input: { iin: randomIin(), fullName: 'Бала', relationship: 'MOTHER', parent: { fullName: 'Ана', phone: '8 701 555 44 33', language: 'RU' } } }, { token });
    const rows = await api.orm.em.fork().getConnection().execute(`select phone, language from applicant where iin = ?`, [iin]);
    expect(rows).toEqual([{ phone: '+77015554433', language: 'RU' }]);
  });
});

describe.concurrent('BINs and provider fields', () => {
  it.for<[string, () => string, RegExp]>([
    ['a wrong check digit', () => { const b = randomBin(); return b.slice(0, 11) + ((Number(b[11]) + 1) % 10); }, /check digit/],
    ['a month 13', () => '201340000006', /month/],
    ['ten digits', () => '2002400000', /exactly 12 digits/],
  ])('refuses a BIN with %s', async ([_what, bin, message], { expect }) => {
    const refused = bin();
    await expectRefused(
      expect,
      { bins: [refused] },
      async () => api.request(REGISTER_PROVIDER, { input: { bin: refused, name: 'Мектеп', kind: 'SCHOOL', city: 'ASTANA' } }, { token: await seed.admin() }),
      'input.bin',
      message,
    );
  });

  it('refuses an unknown city, naming the known ones', async ({ expect }) => {
    const bin = randomBin();
    await expectRefused(
      expect,
      { bins: [bin] },
      async () => api.request(REGISTER_PROVIDER, { input: { bin, name: 'Мектеп', kind: 'SCHOOL', city: 'ALMATY' } }, { token: await seed.admin() }),
      'input.city',
      /Unknown city "ALMATY". Known cities: AKTOBE, ASTANA/,
    );
  });

  it('refuses a second provider with the same BIN with CONFLICT', async ({ expect }) => {
    const bin = randomBin();
    const admin = await seed.admin();
    await api.data(REGISTER_PROVIDER, { input: { bin, name: 'Бірінші', kind: 'SCHOOL', city: 'ASTANA' } }, { token: admin });
    const before = await counts({ bins: [bin] });
    expect(before.provider).toBe(1);
    const res = await api.request(REGISTER_PROVIDER, { input: { bin, name: 'Екінші', kind: 'SCHOOL', city: 'ASTANA' } }, { token: admin });
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT' });
    expect(await counts({ bins: [bin] })).toEqual(before);
  });
});

describe.concurrent('program fields', () => {
  it.for<[Record<string, unknown>, string, RegExp]>([
    [{ minAge: 12, maxAge: 8 }, 'input.maxAge', /not be below minAge/],
    [{ maxAge: 25 }, 'input.maxAge', /0 to 18/],
    [{ seats: 0 }, 'input.seats', /1 to 10000/],
    [{ title: { kk: '  ', ru: 'Шахматы' } }, 'input.title.kk', /must not be empty/],
    [{ schedule: [{ weekday: 8, startsAt: '15:00', endsAt: '16:00' }] }, 'input.schedule[0].weekday', /1 to 7/],
    [{ schedule: [{ weekday: 1, startsAt: '16:00', endsAt: '15:00' }] }, 'input.schedule[0].endsAt', /end after it starts/],
    [{ schedule: [{ weekday: 1, startsAt: '3pm', endsAt: '16:00' }] }, 'input.schedule[0].startsAt', /HH:MM/],
  ])('refuses %j', async ([fields, field, message], { expect }) => {
    const provider = await seed.provider().approved();
    const input = {
      providerId: provider.id,
      title: { kk: 'Шахмат', ru: 'Шахматы' },
      direction: 'EDUCATIONAL',
      minAge: 7,
      maxAge: 12,
      seats: 20,
      schedule: [],
      language: 'KK',
      ...fields,
    };
    await expectRefused(
      expect,
      { providerIds: [provider.id] },
      () => api.request(`mutation($input: CreateProgramInput!) { createProgram(input: $input) { program { id } } }`, { input }, { token: provider.token }),
      field,
      message,
    );
  });

  it('refuses an unknown city in a filter rather than matching nothing', async ({ expect }) => {
    const res = await api.request(`{ programs(filter: { city: "ALMATY" }) { edges { node { id } } } }`);
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'filter.city' });
  });

  it('refuses page sizes over 100', async ({ expect }) => {
    const res = await api.request(`{ programs(first: 101) { edges { node { id } } } }`);
    expect(res.body.errors?.[0]).toMatchObject({ message: 'first must be between 0 and 100.', extensions: { code: 'BAD_USER_INPUT', field: 'first' } });
  });

  it('refuses a cursor it did not issue', async ({ expect }) => {
    const res = await api.request(`{ programs(after: "bm90LWEtY3Vyc29y") { edges { node { id } } } }`);
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});
