import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const TABLES = ['applicant', 'child', 'guardianship', 'provider', 'program'] as const;

/** Row counts of every people and catalogue table, to prove a refused request wrote nothing. */
async function counts(): Promise<Record<string, number>> {
  const conn = api.orm.em.fork().getConnection();
  const entries = await Promise.all(TABLES.map(async (t) => [t, Number((await conn.execute(`select count(*)::int as n from "${t}"`))[0]!.n)] as const));
  return Object.fromEntries(entries);
}

async function expectRefused(run: () => Promise<any>, field: string, message: RegExp) {
  const before = await counts();
  const res = await run();
  expect(res.body.data).toBeNull();
  expect(res.body.errors).toHaveLength(1);
  expect(res.body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field });
  expect(res.body.errors[0].message).toMatch(message);
  expect(await counts()).toEqual(before);
}

const REGISTER_CHILD = `mutation($input: RegisterChildInput!) { registerChild(input: $input) { child { id } } }`;
const REGISTER_PROVIDER = `mutation($input: RegisterProviderInput!) { registerProvider(input: $input) { provider { id } } }`;

describe('IINs', () => {
  const validChild = () => randomIin('2016-04-02');
  const withWrongCheckDigit = (iin: string) => iin.slice(0, 11) + ((Number(iin[11]) + 1) % 10);

  it.each([
    ['a wrong check digit', () => withWrongCheckDigit(validChild()), /check digit/],
    ['eleven digits', () => validChild().slice(0, 11), /exactly 12 digits/],
    ['letters', () => 'ABCDEFGHIJKL', /exactly 12 digits/],
    ['a date that does not exist', () => '160231500007', /does not exist/],
    ['a bad century digit', () => '160402900001', /century/],
    ['an adult’s IIN', () => randomParentIin(), /adult/],
  ])('refuses %s', async (_what, iin, message) => {
    const parent = seed.parent();
    await expectRefused(
      async () => api.request(REGISTER_CHILD, { input: { iin: iin(), fullName: 'Бала', relationship: 'MOTHER' } }, { token: await parent.token() }),
      'input.iin',
      message,
    );
  });

  it('refuses a birth date that disagrees with the IIN', async () => {
    const parent = seed.parent();
    await expectRefused(
      async () => api.request(REGISTER_CHILD, { input: { iin: randomIin('2016-04-02'), birthDate: '2016-04-03', fullName: 'Бала', relationship: 'MOTHER' } }, { token: await parent.token() }),
      'input.birthDate',
      /encodes the birth date 2016-04-02/,
    );
  });

  it('refuses a token whose PARENT subject is not a valid IIN', async () => {
    const forged = await api.token({ role: 'PARENT', sub: '123456789012' });
    const res = await api.request(`{ me { role } }`, {}, { token: forged });
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
  });
});

describe('phone numbers', () => {
  it.each(['+79161234567', '12345', '+7 701 123'])('refuses %j on a parent’s first registration', async (phone) => {
    const iin = randomParentIin();
    const token = await api.token({ role: 'PARENT', sub: iin });
    await expectRefused(
      () => api.request(REGISTER_CHILD, { input: { iin: randomIin(), fullName: 'Бала', relationship: 'MOTHER', parent: { fullName: 'Ана', phone, language: 'KK' } } }, { token }),
      'input.parent.phone',
      /\+7 format/,
    );
  });

  it('asks for a phone when neither the token nor the input has one', async () => {
    const token = await api.token({ role: 'PARENT', sub: randomParentIin(), name: 'Ана' });
    await expectRefused(
      () => api.request(REGISTER_CHILD, { input: { iin: randomIin(), fullName: 'Бала', relationship: 'MOTHER' } }, { token }),
      'input.parent.phone',
      /phone number/,
    );
  });

  it('stores a phone given with spaces and a leading 8 in +7 form', async () => {
    const iin = randomParentIin();
    const token = await api.token({ role: 'PARENT', sub: iin });
    await api.data(REGISTER_CHILD, { input: { iin: randomIin(), fullName: 'Бала', relationship: 'MOTHER', parent: { fullName: 'Ана', phone: '8 701 555 44 33', language: 'RU' } } }, { token });
    const rows = await api.orm.em.fork().getConnection().execute(`select phone, language from applicant where iin = ?`, [iin]);
    expect(rows).toEqual([{ phone: '+77015554433', language: 'RU' }]);
  });
});

describe('BINs and provider fields', () => {
  it.each([
    ['a wrong check digit', () => { const b = randomBin(); return b.slice(0, 11) + ((Number(b[11]) + 1) % 10); }, /check digit/],
    ['a month 13', () => '201340000006', /month/],
    ['ten digits', () => '2002400000', /exactly 12 digits/],
  ])('refuses a BIN with %s', async (_what, bin, message) => {
    await expectRefused(
      async () => api.request(REGISTER_PROVIDER, { input: { bin: bin(), name: 'Мектеп', kind: 'SCHOOL', city: 'ASTANA' } }, { token: await seed.admin() }),
      'input.bin',
      message,
    );
  });

  it('refuses an unknown city, naming the known ones', async () => {
    await expectRefused(
      async () => api.request(REGISTER_PROVIDER, { input: { bin: randomBin(), name: 'Мектеп', kind: 'SCHOOL', city: 'ALMATY' } }, { token: await seed.admin() }),
      'input.city',
      /Unknown city "ALMATY". Known cities: AKTOBE, ASTANA/,
    );
  });

  it('refuses a second provider with the same BIN with CONFLICT', async () => {
    const bin = randomBin();
    const admin = await seed.admin();
    await api.data(REGISTER_PROVIDER, { input: { bin, name: 'Бірінші', kind: 'SCHOOL', city: 'ASTANA' } }, { token: admin });
    const before = await counts();
    const res = await api.request(REGISTER_PROVIDER, { input: { bin, name: 'Екінші', kind: 'SCHOOL', city: 'ASTANA' } }, { token: admin });
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT' });
    expect(await counts()).toEqual(before);
  });
});

describe('program fields', () => {
  it.each([
    [{ minAge: 12, maxAge: 8 }, 'input.maxAge', /not be below minAge/],
    [{ maxAge: 25 }, 'input.maxAge', /0 to 18/],
    [{ seats: 0 }, 'input.seats', /1 to 10000/],
    [{ title: { kk: '  ', ru: 'Шахматы' } }, 'input.title.kk', /must not be empty/],
    [{ schedule: [{ weekday: 8, startsAt: '15:00', endsAt: '16:00' }] }, 'input.schedule[0].weekday', /1 to 7/],
    [{ schedule: [{ weekday: 1, startsAt: '16:00', endsAt: '15:00' }] }, 'input.schedule[0].endsAt', /end after it starts/],
    [{ schedule: [{ weekday: 1, startsAt: '3pm', endsAt: '16:00' }] }, 'input.schedule[0].startsAt', /HH:MM/],
  ])('refuses %j', async (fields, field, message) => {
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
      () => api.request(`mutation($input: CreateProgramInput!) { createProgram(input: $input) { program { id } } }`, { input }, { token: provider.token }),
      field,
      message,
    );
  });

  it('refuses an unknown city in a filter rather than matching nothing', async () => {
    const res = await api.request(`{ programs(filter: { city: "ALMATY" }) { edges { node { id } } } }`);
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'filter.city' });
  });

  it('refuses page sizes over 100', async () => {
    const res = await api.request(`{ programs(first: 101) { edges { node { id } } } }`);
    expect(res.body.errors?.[0]).toMatchObject({ message: 'first must be between 0 and 100.', extensions: { code: 'BAD_USER_INPUT', field: 'first' } });
  });

  it('refuses a cursor it did not issue', async () => {
    const res = await api.request(`{ programs(after: "bm90LWEtY3Vyc29y") { edges { node { id } } } }`);
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});
