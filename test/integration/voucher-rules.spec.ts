// Bad input on the voucher lifecycle is refused with the closed error codes and writes nothing.
// Applications in this file use ATYRAU only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.js';
import { type FamilyHandle, type ProviderHandle, Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;
beforeAll(async () => {
  api = await TestApi.start();
  seed = new Seed(api);
});
afterAll(() => api?.close());

const CITY = 'ATYRAU';
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

async function expectNothingWritten(family: FamilyHandle, run: () => Promise<any>, expected: { code: string; field?: string; message?: RegExp }) {
  const before = await footprint(family);
  const res = await run();
  expect(res.body.data).toBeNull();
  expect(code(res)).toBe(expected.code);
  if (expected.field) expect(res.body.errors[0].extensions.field).toBe(expected.field);
  if (expected.message) expect(res.body.errors[0].message).toMatch(expected.message);
  expect(await footprint(family)).toEqual(before);
}

const APPLY = `mutation($input: ApplyForVoucherInput!) { applyForVoucher(input: $input) { application { id } } }`;
const ACCEPT = `mutation($o: ID!, $p: ID!) { acceptOffer(input: { offerId: $o, programId: $p }) { enrollment { id } } }`;

/** A family whose child has a pending offer of the given type in ATYRAU. */
async function offered(type: 'TARGETED' | 'UNIVERSAL', birthDate = '2016-05-20') {
  const family = await seed.parent().withChild(1, birthDate, 'DISABILITY');
  const applicationId = await seed.apply(family, 0, type, CITY);
  const { application } = await api.data(`query($id: ID!) { application(id: $id) { position } }`, { id: applicationId }, { token: family.token });
  await seed.quotaRoom(CITY, type, application.position);
  const offer = (await seed.issue(CITY, type, application.position)).find((o) => o.applicationId === applicationId)!;
  return { family, applicationId, offerId: offer.id };
}

describe('refused without writing anything', () => {
  let privateStudio: ProviderHandle;
  let school: ProviderHandle;
  let studioProgram: string;
  let schoolProgram: string;
  let teenProgram: string;

  beforeAll(async () => {
    privateStudio = await seed.provider({ city: CITY, kind: 'PRIVATE' }).approved();
    school = await seed.provider({ city: CITY, kind: 'SCHOOL' }).approved();
    studioProgram = (await seed.program(privateStudio, { minAge: 6, maxAge: 14, seats: 50 })).id;
    schoolProgram = (await seed.program(school, { minAge: 6, maxAge: 14, seats: 50 })).id;
    teenProgram = (await seed.program(school, { minAge: 14, maxAge: 17, seats: 50 })).id;
  });

  it('a parent applying for a child who is not theirs (FORBIDDEN)', async () => {
    const stranger = await seed.parent().withChild();
    const me = await seed.parent().withChild();
    await expectNothingWritten(stranger, () => api.request(APPLY, { input: { childId: stranger.children[0]!.id, voucherType: 'UNIVERSAL', city: CITY } }, { token: me.token }), { code: 'FORBIDDEN' });
  });

  it('a second open application of the same type (CONFLICT)', async () => {
    const family = await seed.parent().withChild();
    await seed.apply(family, 0, 'TARGETED', CITY);
    await expectNothingWritten(family, () => api.request(APPLY, { input: { childId: family.children[0]!.id, voucherType: 'TARGETED', city: CITY } }, { token: family.token }), {
      code: 'CONFLICT',
      message: /already has an open TARGETED application/,
    });
  });

  it('an unknown city (BAD_USER_INPUT)', async () => {
    const family = await seed.parent().withChild();
    await expectNothingWritten(family, () => api.request(APPLY, { input: { childId: family.children[0]!.id, voucherType: 'TARGETED', city: 'ALMATY' } }, { token: family.token }), {
      code: 'BAD_USER_INPUT',
      field: 'input.city',
    });
  });

  it('a TARGETED voucher at a PRIVATE provider (BAD_USER_INPUT)', async () => {
    const { family, offerId } = await offered('TARGETED');
    await expectNothingWritten(family, () => api.request(ACCEPT, { o: offerId, p: studioProgram }, { token: family.token }), {
      code: 'BAD_USER_INPUT',
      field: 'input.programId',
      message: /TARGETED voucher cannot be used at a PRIVATE provider/,
    });
    // The same offer is fine at a school.
    expect((await api.request(ACCEPT, { o: offerId, p: schoolProgram }, { token: family.token })).body.errors).toBeUndefined();
  });

  it('a program outside the child’s age (BAD_USER_INPUT)', async () => {
    const { family, offerId } = await offered('UNIVERSAL', '2018-03-03');
    await expectNothingWritten(family, () => api.request(ACCEPT, { o: offerId, p: teenProgram }, { token: family.token }), {
      code: 'BAD_USER_INPUT',
      field: 'input.programId',
      message: /ages 14–17; the child is 8/,
    });
  });

  it('another family’s offer (FORBIDDEN)', async () => {
    const { family, offerId } = await offered('UNIVERSAL');
    const thief = await seed.parent().withChild();
    await expectNothingWritten(family, () => api.request(ACCEPT, { o: offerId, p: schoolProgram }, { token: thief.token }), { code: 'FORBIDDEN' });
    await expectNothingWritten(family, () => api.request(`mutation($o: ID!) { declineOffer(input: { offerId: $o }) { offer { id } } }`, { o: offerId }, { token: thief.token }), { code: 'FORBIDDEN' });
  });

  it('an expired offer (CONFLICT)', async () => {
    const { family, offerId } = await offered('UNIVERSAL');
    const { offer } = await api.data(`query($id: ID!) { offer(id: $id) { deadline } }`, { id: offerId }, { token: family.token });
    await api.runJobs(CITY, new Date(new Date(offer.deadline).getTime() + 1000));
    await expectNothingWritten(family, () => api.request(ACCEPT, { o: offerId, p: schoolProgram }, { token: family.token }), { code: 'CONFLICT', message: /EXPIRED/ });
  });

  it('withdrawing an application that has an offer (CONFLICT: decline instead)', async () => {
    const { family, applicationId } = await offered('UNIVERSAL');
    await expectNothingWritten(family, () => api.request(`mutation($id: ID!) { withdrawApplication(input: { applicationId: $id }) { application { id } } }`, { id: applicationId }, { token: family.token }), {
      code: 'CONFLICT',
      message: /decline the offer/,
    });
  });

  it('issuing without quota (QUOTA_EXHAUSTED)', async () => {
    const family = await seed.parent().withChild();
    await seed.apply(family, 0, 'UNIVERSAL', CITY);
    await seed.quotaRoom(CITY, 'UNIVERSAL', 0);
    await expectNothingWritten(family, async () => api.request(`mutation { issueVouchers(input: { city: "ATYRAU", voucherType: UNIVERSAL, count: 5 }) { offers { id } } }`, {}, { token: await seed.operator(CITY) }), {
      code: 'QUOTA_EXHAUSTED',
    });
  });

  it('an operator issuing in another city (FORBIDDEN) and a parent issuing at all (FORBIDDEN)', async () => {
    const family = await seed.parent().withChild();
    const issue = `mutation { issueVouchers(input: { city: "ATYRAU", voucherType: UNIVERSAL, count: 1 }) { offers { id } } }`;
    expect(code(await api.request(issue, {}, { token: await seed.operator('ASTANA') }))).toBe('FORBIDDEN');
    expect(code(await api.request(issue, {}, { token: family.token }))).toBe('FORBIDDEN');
  });

  it('a child with a voucher applying again (CONFLICT)', async () => {
    const { family, offerId } = await offered('UNIVERSAL');
    await api.data(ACCEPT, { o: offerId, p: schoolProgram }, { token: family.token });
    await expectNothingWritten(family, () => api.request(APPLY, { input: { childId: family.children[0]!.id, voucherType: 'TARGETED', city: CITY } }, { token: family.token }), {
      code: 'CONFLICT',
      message: /already holds a voucher/,
    });
  });

  it('rules that make no sense (BAD_USER_INPUT)', async () => {
    const operator = await seed.operator(CITY);
    const bad = await api.request(`mutation { updateCityRules(input: { city: "ATYRAU", offerDeadlineHours: 0 }) { rules { version } } }`, {}, { token: operator });
    expect(bad.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.offerDeadlineHours' });
    const none = await api.request(`mutation { updateCityRules(input: { city: "ATYRAU", priorityOrder: [NONE, ORPHAN] }) { rules { version } } }`, {}, { token: operator });
    expect(none.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.priorityOrder' });
    const history = await api.data(`{ cityRulesHistory(city: "ATYRAU") { version } }`);
    expect(history.cityRulesHistory).toEqual([{ version: 1 }]);
  });
});
