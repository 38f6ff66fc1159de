// Bad input on the voucher lifecycle is refused with the closed error codes and writes nothing.
// Every test queues in a city of its own (`seed.city()`), so its family heads its queue and the
// tests run at once.
import { afterAll, beforeAll, describe, type ExpectStatic, it } from 'vitest';
import { TestApi } from '../support/api.js';
import { type FamilyHandle, type ProviderHandle, Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;
beforeAll(async () => {
  api = await TestApi.start();
  seed = new Seed(api);
});
afterAll(() => api?.close());

const code = (res: any) => res.body.errors?.[0]?.extensions?.code;

/** Everything the lifecycle could have written about one family's children. */
async function footprint(family: FamilyHandle) {
  const childIds = family.children.map((c) => c.id);
  const [row] = await api.sql(
    `select
       (select count(*) from application where child_id in (?))::int as applications,
       (select count(*) from voucher where child_id in (?))::int as vouchers,
       (select count(*) from voucher where child_id in (?) and status = 'ACTIVE')::int as active_vouchers,
       (select count(*) from enrollment e join voucher v on v.id = e.voucher_id where v.child_id in (?))::int as enrollments,
       (select count(*) from offer o join application a on a.id = o.application_id where a.child_id in (?) and o.status <> 'PENDING')::int as decided_offers,
       (select count(*) from audit_event where entity_id in (select id from application where child_id in (?)) or entity_id in (select o.id from offer o join application a on a.id = o.application_id where a.child_id in (?)))::int as audit,
       (select count(*) from notification n join applicant p on p.id = n.applicant_id where p.iin = ?)::int as sms`,
    [childIds, childIds, childIds, childIds, childIds, childIds, childIds, family.iin],
  );
  return row;
}

async function expectNothingWritten(expect: ExpectStatic, family: FamilyHandle, run: () => Promise<any>, expected: { code: string; field?: string; message?: RegExp }) {
  const before = await footprint(family);
  const res = await run();
  expect(res.body.data).toBeNull();
  expect(code(res)).toBe(expected.code);
  if (expected.field) expect(res.body.errors[0].extensions.field).toBe(expected.field);
  if (expected.message) expect(res.body.errors[0].message).toMatch(expected.message);
  expect(await footprint(family)).toEqual(before);
}

const APPLY = `mutation($input: ApplyForVoucherInput!) { applyForVoucher(input: $input) { application { id } } }`;
const ACCEPT = `mutation($o: ID!, $p: ID!) { acceptOffer(input: { offerId: $o, programId: $p, acceptTerms: true, personalDataConsent: true }) { enrollment { id } } }`;

/** A family whose child heads the city's queue of the given type and holds its pending offer. */
const offered = (city: string, type: 'TARGETED' | 'UNIVERSAL', birthDate = '2016-05-20') => seed.offered(city, type, { category: 'DISABILITY', birthDate });

/** A city of the test's own with a private studio and a school, and their clubs. */
async function cityWithClubs() {
  const city = await seed.city();
  const privateStudio: ProviderHandle = await seed.provider({ city, kind: 'PRIVATE' }).approved();
  const school: ProviderHandle = await seed.provider({ city, kind: 'SCHOOL' }).approved();
  return {
    city,
    studioProgram: (await seed.program(privateStudio, { minAge: 6, maxAge: 14, seats: 50 })).id as string,
    schoolProgram: (await seed.program(school, { minAge: 6, maxAge: 14, seats: 50 })).id as string,
    teenProgram: (await seed.program(school, { minAge: 14, maxAge: 17, seats: 50 })).id as string,
  };
}

describe.concurrent('refused without writing anything', () => {

  it('a parent applying for a child who is not theirs (FORBIDDEN)', async ({ expect }) => {
    const city = await seed.city();
    const stranger = await seed.parent().withChild();
    const me = await seed.parent().withChild();
    await expectNothingWritten(expect, stranger, () => api.request(APPLY, { input: { childId: stranger.children[0]!.id, voucherType: 'UNIVERSAL', city } }, { token: me.token }), { code: 'FORBIDDEN' });
  });

  it('a second open application of the same type (CONFLICT)', async ({ expect }) => {
    const city = await seed.city();
    const family = await seed.parent().withChild();
    await seed.apply(family, 0, 'TARGETED', city);
    await expectNothingWritten(expect, family, () => api.request(APPLY, { input: { childId: family.children[0]!.id, voucherType: 'TARGETED', city } }, { token: family.token }), {
      code: 'CONFLICT',
      message: /already has an open TARGETED application/,
    });
  });

  it('an unknown city (BAD_USER_INPUT)', async ({ expect }) => {
    const family = await seed.parent().withChild();
    await expectNothingWritten(expect, family, () => api.request(APPLY, { input: { childId: family.children[0]!.id, voucherType: 'TARGETED', city: 'ALMATY' } }, { token: family.token }), {
      code: 'BAD_USER_INPUT',
      field: 'input.city',
    });
  });

  it('a TARGETED voucher at a PRIVATE provider (BAD_USER_INPUT)', async ({ expect }) => {
    const { city, studioProgram, schoolProgram } = await cityWithClubs();
    const { family, offerId } = await offered(city, 'TARGETED');
    await expectNothingWritten(expect, family, () => api.request(ACCEPT, { o: offerId, p: studioProgram }, { token: family.token }), {
      code: 'BAD_USER_INPUT',
      field: 'input.programId',
      message: /TARGETED voucher cannot be used at a PRIVATE provider/,
    });
    // The same offer is fine at a school.
    expect((await api.request(ACCEPT, { o: offerId, p: schoolProgram }, { token: family.token })).body.errors).toBeUndefined();
  });

  it('a program outside the child’s age (BAD_USER_INPUT)', async ({ expect }) => {
    const { city, teenProgram } = await cityWithClubs();
    const { family, offerId } = await offered(city, 'UNIVERSAL', '2018-03-03');
    await expectNothingWritten(expect, family, () => api.request(ACCEPT, { o: offerId, p: teenProgram }, { token: family.token }), {
      code: 'BAD_USER_INPUT',
      field: 'input.programId',
      message: /ages 14–17; the child is 8/,
    });
  });

  it('another family’s offer (FORBIDDEN)', async ({ expect }) => {
    const { city, schoolProgram } = await cityWithClubs();
    const { family, offerId } = await offered(city, 'UNIVERSAL');
    const thief = await seed.parent().withChild();
    await expectNothingWritten(expect, family, () => api.request(ACCEPT, { o: offerId, p: schoolProgram }, { token: thief.token }), { code: 'FORBIDDEN' });
    await expectNothingWritten(expect, family, () => api.request(`mutation($o: ID!) { declineOffer(input: { offerId: $o }) { offer { id } } }`, { o: offerId }, { token: thief.token }), { code: 'FORBIDDEN' });
  });

  it('an expired offer (CONFLICT)', async ({ expect }) => {
    const { city, schoolProgram } = await cityWithClubs();
    const { family, offerId } = await offered(city, 'UNIVERSAL');
    const { offer } = await api.data(`query($id: ID!) { offer(id: $id) { deadline } }`, { id: offerId }, { token: family.token });
    // The city's only offer is this one: the job expires exactly it.
    expect((await api.runJobs(city, new Date(new Date(offer.deadline).getTime() + 1000))).expired).toBe(1);
    await expectNothingWritten(expect, family, () => api.request(ACCEPT, { o: offerId, p: schoolProgram }, { token: family.token }), { code: 'CONFLICT', message: /EXPIRED/ });
  });

  it('withdrawing an application that has an offer (CONFLICT: decline instead)', async ({ expect }) => {
    const city = await seed.city();
    const { family, applicationId } = await offered(city, 'UNIVERSAL');
    await expectNothingWritten(expect, family, () => api.request(`mutation($id: ID!) { withdrawApplication(input: { applicationId: $id }) { application { id } } }`, { id: applicationId }, { token: family.token }), {
      code: 'CONFLICT',
      message: /decline the offer/,
    });
  });

  it('issuing without quota (QUOTA_EXHAUSTED)', async ({ expect }) => {
    const city = await seed.city();
    const family = await seed.parent().withChild();
    await seed.apply(family, 0, 'UNIVERSAL', city);
    await seed.quotaRoom(city, 'UNIVERSAL', 0);
    await expectNothingWritten(expect, family, async () => api.request(`mutation($city: String!) { issueVouchers(input: { city: $city, voucherType: UNIVERSAL, count: 5 }) { offers { id } } }`, { city }, { token: await seed.operator(city) }), {
      code: 'QUOTA_EXHAUSTED',
    });
  });

  it('an operator issuing in another city (FORBIDDEN) and a parent issuing at all (FORBIDDEN)', async ({ expect }) => {
    const [city, elsewhere] = [await seed.city(), await seed.city()];
    const family = await seed.parent().withChild();
    await seed.apply(family, 0, 'UNIVERSAL', city);
    await seed.quotaRoom(city, 'UNIVERSAL', 1);
    const issue = `mutation($city: String!) { issueVouchers(input: { city: $city, voucherType: UNIVERSAL, count: 1 }) { offers { id } } }`;
    expect(code(await api.request(issue, { city }, { token: await seed.operator(elsewhere) }))).toBe('FORBIDDEN');
    expect(code(await api.request(issue, { city }, { token: family.token }))).toBe('FORBIDDEN');
    // Neither wrote an offer: the family still waits at the head, with the room unused.
    expect((await api.data(`query { myApplications { status position } }`, {}, { token: family.token })).myApplications).toEqual([{ status: 'QUEUED', position: 1 }]);
  });

  it('a child with a voucher applying again (CONFLICT)', async ({ expect }) => {
    const { city, schoolProgram } = await cityWithClubs();
    const { family, offerId } = await offered(city, 'UNIVERSAL');
    await api.data(ACCEPT, { o: offerId, p: schoolProgram }, { token: family.token });
    await expectNothingWritten(expect, family, () => api.request(APPLY, { input: { childId: family.children[0]!.id, voucherType: 'TARGETED', city } }, { token: family.token }), {
      code: 'CONFLICT',
      message: /already holds a voucher/,
    });
  });

  it('rules that make no sense (BAD_USER_INPUT)', async ({ expect }) => {
    const city = await seed.city();
    const operator = await seed.operator(city);
    const bad = await api.request(`mutation($city: String!) { updateCityRules(input: { city: $city, offerDeadlineHours: 0 }) { rules { version } } }`, { city }, { token: operator });
    expect(bad.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.offerDeadlineHours' });
    const none = await api.request(`mutation($city: String!) { updateCityRules(input: { city: $city, priorityOrder: [NONE, ORPHAN] }) { rules { version } } }`, { city }, { token: operator });
    expect(none.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.priorityOrder' });
    const history = await api.data(`query($city: String!) { cityRulesHistory(city: $city) { version } }`, { city });
    expect(history.cityRulesHistory).toEqual([{ version: 1 }]);
  });
});
