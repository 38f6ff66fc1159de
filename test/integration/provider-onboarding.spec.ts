// Issue 13 §1, joining the programme, told as a story through the API: a provider-to-be signs in
// with its BIN and applies, the city's operator approves it (with a reason), it drafts a club and
// submits it, the operator returns it with a comment, the provider fixes and resubmits it, it is
// published, and a parent finds it in the catalogue and accepts the offer with the contract and the
// consent, which the family and the provider both read. Then the refusals (closed codes, nothing
// written) and two operators deciding one application at once. Each test has a city of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.js';
import { randomBin } from '../support/ids.js';
import { Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;
let admin: string;

beforeAll(async () => {
  api = await TestApi.start();
  seed = new Seed(api);
  admin = await seed.admin();
});
afterAll(() => api?.close());

const APPLICATION = `application { address licenceReference contactName contactPhone contactEmail decisionReason }`;
const APPLY = `mutation($input: ApplyAsProviderInput!) { applyAsProvider(input: $input) { provider { id bin name kind status city { code } ${APPLICATION} } } }`;
const DECIDE = `mutation($input: DecideProviderInput!) { decideProvider(input: $input) { provider { id status ${APPLICATION} } } }`;
const PROGRAM = `id status title { ru } description address district teacherName reviewComment schedule { weekday startsAt endsAt } weeklySchedule { weekday start minutes } submittedAt publishedAt`;
const CREATE = `mutation($input: CreateProgramInput!) { createProgram(input: $input) { program { ${PROGRAM} } } }`;
const UPDATE = `mutation($input: UpdateProgramInput!) { updateProgram(input: $input) { program { ${PROGRAM} } } }`;
const SUBMIT = `mutation($id: ID!) { submitProgramForReview(input: { programId: $id }) { program { id status submittedAt } } }`;
const REVIEW = `mutation($input: ReviewProgramInput!) { reviewProgram(input: $input) { program { id status reviewComment publishedAt } } }`;
const ACCEPT = `mutation($input: AcceptOfferInput!) { acceptOffer(input: $input) { enrollment { id startedAt contract { terms { version } acceptedAt personalDataConsentGivenAt } } } }`;
const AUDIT = `query($id: ID!) { auditLog(filter: { entityId: $id }, first: 50) { edges { node { action actorRole actorId before after reason } } } }`;

const code = (res: { body: { errors?: { extensions?: Record<string, any> }[] } }) => res.body.errors?.[0]?.extensions?.code;
const field = (res: { body: { errors?: { extensions?: Record<string, any> }[] } }) => res.body.errors?.[0]?.extensions?.field;
const audit = async (entityId: string) => (await api.data(AUDIT, { id: entityId }, { token: admin })).auditLog.edges.map((e: any) => e.node);
const applicantToken = (bin: string) => api.token({ role: 'PROVIDER', bin });
const filing = (city: string, overrides: Record<string, unknown> = {}) => ({
  name: 'ТОО «Шахмат әлемі»',
  kind: 'PRIVATE',
  city,
  address: 'Астана, Сарыарқа ауданы, Бейбітшілік көшесі, 12',
  licenceReference: 'KZ12LAA00012345',
  contactName: 'Ерлан Жақсыбеков',
  contactPhone: '8 701 555 12 34',
  contactEmail: 'office@chess.kz',
  ...overrides,
});
const draft = (providerId: string, overrides: Record<string, unknown> = {}) => ({
  providerId,
  title: { kk: 'Шахмат үйірмесі', ru: 'Шахматный кружок' },
  direction: 'EDUCATIONAL',
  minAge: 7,
  maxAge: 12,
  seats: 12,
  language: 'KK_RU',
  description: 'Дебюты, эндшпили и турниры выходного дня.',
  address: 'Бейбітшілік көшесі, 12, 2-қабат',
  district: 'Сарыарқа',
  teacherName: 'Ерлан Жақсыбеков',
  weeklySchedule: [
    { weekday: 2, start: '15:00', minutes: 90 },
    { weekday: 4, start: '15:00', minutes: 90 },
  ],
  ...overrides,
});
/** A BIN that applied and was approved by the city; its BIN token now acts for the provider. */
async function approvedApplicant(city: string) {
  const bin = randomBin();
  const token = await applicantToken(bin);
  const { applyAsProvider } = await api.data(APPLY, { input: filing(city) }, { token });
  await api.data(DECIDE, { input: { providerId: applyAsProvider.provider.id, decision: 'APPROVE', reason: 'Licence checked' } }, { token: await seed.operator(city) });
  return { id: applyAsProvider.provider.id as string, bin, token };
}
const birthDateOfAge = (age: number) => `${new Date().getFullYear() - age}-03-15`;

describe('joining the programme, as a story', () => {
  it('a provider applies with its BIN, is approved, has its club reviewed, returned, fixed and published; a parent enrolls a child with the contract', async () => {
    const city = await seed.city();
    const operator = await seed.operator(city);
    const bin = randomBin();
    const applicant = await applicantToken(bin);

    // Signed in with its BIN, before any record: an applicant, with no provider yet.
    expect((await api.data(`{ me { role bin provider { id } } }`, {}, { token: applicant })).me).toEqual({ role: 'PROVIDER', bin, provider: null });

    // It applies. The BIN comes from the token; the phone is normalised.
    const { applyAsProvider } = await api.data(APPLY, { input: filing(city) }, { token: applicant });
    const providerId = applyAsProvider.provider.id as string;
    expect(applyAsProvider.provider).toEqual({
      id: providerId,
      bin,
      name: 'ТОО «Шахмат әлемі»',
      kind: 'PRIVATE',
      status: 'PENDING',
      city: { code: city },
      application: {
        address: 'Астана, Сарыарқа ауданы, Бейбітшілік көшесі, 12',
        licenceReference: 'KZ12LAA00012345',
        contactName: 'Ерлан Жақсыбеков',
        contactPhone: '+77015551234',
        contactEmail: 'office@chess.kz',
        decisionReason: null,
      },
    });
    // Not in the public catalogue while pending.
    const pendingPublic = await api.request(`query($id: ID!) { provider(id: $id) { id } }`, { id: providerId });
    expect([pendingPublic.body.data?.provider, code(pendingPublic)]).toEqual([null, 'NOT_FOUND']);

    // The city's operator finds it and approves it, with a reason.
    const { providers } = await api.data(`query($city: String!) { providers(filter: { city: $city, status: PENDING }) { edges { node { id } } } }`, { city }, { token: operator });
    expect(providers.edges.map((e: any) => e.node.id)).toEqual([providerId]);
    const { decideProvider } = await api.data(DECIDE, { input: { providerId, decision: 'APPROVE', reason: 'Licence and address checked' } }, { token: operator });
    expect(decideProvider.provider).toMatchObject({ id: providerId, status: 'APPROVED', application: { decisionReason: 'Licence and address checked' } });
    expect(await audit(providerId)).toEqual([
      { action: 'PROVIDER_APPLIED', actorRole: 'PROVIDER', actorId: `bin:${bin}`, before: null, after: { status: 'PENDING', kind: 'PRIVATE', licenceReference: 'KZ12LAA00012345' }, reason: null },
      { action: 'PROVIDER_APPROVED', actorRole: 'OPERATOR', actorId: city, before: { status: 'PENDING' }, after: { status: 'APPROVED' }, reason: 'Licence and address checked' },
    ]);

    // The same BIN token now acts for the provider record.
    expect((await api.data(`{ me { provider { id status } } }`, {}, { token: applicant })).me.provider).toEqual({ id: providerId, status: 'APPROVED' });

    // It drafts a club: a DRAFT, with its schedule in both forms, seen by nobody outside.
    const { createProgram } = await api.data(CREATE, { input: draft(providerId, { teacherName: null }) }, { token: applicant });
    const programId = createProgram.program.id as string;
    expect(createProgram.program).toEqual({
      id: programId,
      status: 'DRAFT',
      title: { ru: 'Шахматный кружок' },
      description: 'Дебюты, эндшпили и турниры выходного дня.',
      address: 'Бейбітшілік көшесі, 12, 2-қабат',
      district: 'Сарыарқа',
      teacherName: null,
      reviewComment: null,
      schedule: [
        { weekday: 2, startsAt: '15:00', endsAt: '16:30' },
        { weekday: 4, startsAt: '15:00', endsAt: '16:30' },
      ],
      weeklySchedule: [
        { weekday: 2, start: '15:00', minutes: 90 },
        { weekday: 4, start: '15:00', minutes: 90 },
      ],
      submittedAt: null,
      publishedAt: null,
    });
    const [row] = await api.sql<{ weekly_schedule: unknown }>(`select weekly_schedule from program where id = ?`, [programId]);
    expect(row!.weekly_schedule).toEqual([{ weekday: 2, start: '15:00', minutes: 90 }, { weekday: 4, start: '15:00', minutes: 90 }]);
    const catalogue = async () => (await api.data(`query($city: String!) { programs(filter: { city: $city }) { totalCount edges { node { id status teacherName district } } } }`, { city })).programs;
    expect((await catalogue()).totalCount).toBe(0);

    // Submitting needs everything parents read: the teacher is missing.
    const incomplete = await api.request(SUBMIT, { id: programId }, { token: applicant });
    expect([code(incomplete), field(incomplete)]).toEqual(['BAD_USER_INPUT', 'program.teacherName']);
    await api.data(UPDATE, { input: { programId, teacherName: 'Ерлан Жақсыбеков' } }, { token: applicant });
    const { submitProgramForReview } = await api.data(SUBMIT, { id: programId }, { token: applicant });
    expect(submitProgramForReview.program.status).toBe('IN_REVIEW');

    // In review it does not change under the operator.
    const frozen = await api.request(UPDATE, { input: { programId, seats: 30 } }, { token: applicant });
    expect(code(frozen)).toBe('CONFLICT');

    // The operator's review list; the operator returns it with a comment.
    const { programs: reviewList } = await api.data(`query($city: String!) { programs(filter: { city: $city, status: IN_REVIEW }) { edges { node { id } } } }`, { city }, { token: operator });
    expect(reviewList.edges.map((e: any) => e.node.id)).toEqual([programId]);
    const comment = 'Укажите кабинет и уточните возраст: 7–12 для шахмат рано.';
    const returned = (await api.data(REVIEW, { input: { programId, decision: 'RETURN', comment } }, { token: operator })).reviewProgram.program;
    expect(returned).toEqual({ id: programId, status: 'RETURNED', reviewComment: comment, publishedAt: null });

    // The provider reads the comment, fixes the program and submits it again; the operator publishes it.
    const fixed = (await api.data(UPDATE, { input: { programId, minAge: 8, address: 'Бейбітшілік көшесі, 12, 204-кабинет' } }, { token: applicant })).updateProgram.program;
    expect(fixed).toMatchObject({ status: 'RETURNED', reviewComment: comment, address: 'Бейбітшілік көшесі, 12, 204-кабинет' });
    await api.data(SUBMIT, { id: programId }, { token: applicant });
    const published = (await api.data(REVIEW, { input: { programId, decision: 'PUBLISH' } }, { token: operator })).reviewProgram.program;
    expect(published).toMatchObject({ id: programId, status: 'PUBLISHED', reviewComment: null });
    expect(published.publishedAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
    expect(await audit(programId)).toEqual([
      { action: 'PROGRAM_SUBMITTED', actorRole: 'PROVIDER', actorId: providerId, before: { status: 'DRAFT' }, after: { status: 'IN_REVIEW' }, reason: null },
      { action: 'PROGRAM_RETURNED', actorRole: 'OPERATOR', actorId: city, before: { status: 'IN_REVIEW' }, after: { status: 'RETURNED' }, reason: comment },
      { action: 'PROGRAM_SUBMITTED', actorRole: 'PROVIDER', actorId: providerId, before: { status: 'RETURNED' }, after: { status: 'IN_REVIEW' }, reason: null },
      { action: 'PROGRAM_PUBLISHED', actorRole: 'OPERATOR', actorId: city, before: { status: 'IN_REVIEW' }, after: { status: 'PUBLISHED' }, reason: null },
    ]);

    // Now a parent sees it in the catalogue …
    expect(await catalogue()).toEqual({ totalCount: 1, edges: [{ node: { id: programId, status: 'PUBLISHED', teacherName: 'Ерлан Жақсыбеков', district: 'Сарыарқа' } }] });

    // … reads the standard terms in force, and accepts the offer with them and the consent.
    const { contractTerms } = await api.data(`{ contractTerms { version terms { kk ru } personalDataConsent { ru } effectiveFrom } }`);
    expect(contractTerms.version).toBe(1);
    expect(contractTerms.terms.ru).toMatch(/^Типовой договор-оферта/);
    expect(contractTerms.personalDataConsent.ru).toMatch(/^Согласен на обработку персональных данных/);
    const { family, offerId } = await seed.offered(city, 'UNIVERSAL', { birthDate: birthDateOfAge(9) });
    const { acceptOffer } = await api.data(
      ACCEPT,
      { input: { offerId, programId, acceptTerms: true, personalDataConsent: true, termsVersion: contractTerms.version } },
      { token: family.token },
    );
    const enrollment = acceptOffer.enrollment;
    expect(enrollment.contract).toEqual({ terms: { version: 1 }, acceptedAt: enrollment.startedAt, personalDataConsentGivenAt: enrollment.startedAt });

    // Both sides read the contract: the family on its child's voucher, the provider on the session it records.
    const childId = family.children[0]!.id;
    const { child } = await api.data(`query($id: ID!) { child(id: $id) { voucher { enrollment { id contract { terms { version } acceptedAt } } } } }`, { id: childId }, { token: family.token });
    expect(child.voucher.enrollment).toEqual({ id: enrollment.id, contract: { terms: { version: 1 }, acceptedAt: enrollment.startedAt } });
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Almaty' }).format(new Date());
    const { recordAttendance } = await api.data(
      `mutation($input: RecordAttendanceInput!) { recordAttendance(input: $input) { attendances { enrollment { id contract { terms { version } acceptedAt personalDataConsentGivenAt } } } } }`,
      { input: { programId, date: today, childIds: [childId], hours: 1.5 } },
      { token: applicant },
    );
    expect(recordAttendance.attendances).toEqual([{ enrollment: { id: enrollment.id, contract: { terms: { version: 1 }, acceptedAt: enrollment.startedAt, personalDataConsentGivenAt: enrollment.startedAt } } }]);
    const [stored] = await api.sql<{ terms_version: number }>(`select terms_version from enrollment where id = ?`, [enrollment.id]);
    expect(stored!.terms_version).toBe(1);
  });
});

describe.concurrent('applying and deciding: refusals write nothing', () => {
  it('only a BIN token applies, with valid details, once', async ({ expect }) => {
    const city = await seed.city();
    const bin = randomBin();
    const token = await applicantToken(bin);
    const count = async () => (await api.sql<{ n: number }>(`select count(*)::int as n from provider where bin = ?`, [bin]))[0]!.n;

    const badPhone = await api.request(APPLY, { input: filing(city, { contactPhone: '12345' }) }, { token });
    expect([code(badPhone), field(badPhone)]).toEqual(['BAD_USER_INPUT', 'input.contactPhone']);
    const badEmail = await api.request(APPLY, { input: filing(city, { contactEmail: 'not-an-address' }) }, { token });
    expect([code(badEmail), field(badEmail)]).toEqual(['BAD_USER_INPUT', 'input.contactEmail']);
    const noCity = await api.request(APPLY, { input: filing('NOWHERE') }, { token });
    expect([code(noCity), field(noCity)]).toEqual(['BAD_USER_INPUT', 'input.city']);
    const parent = await api.request(APPLY, { input: filing(city) }, { token: await api.token({ role: 'PARENT', sub: '880101300010' }) });
    expect(code(parent)).toBe('FORBIDDEN');
    const anonymous = await api.request(APPLY, { input: filing(city) });
    expect(code(anonymous)).toBe('UNAUTHENTICATED');
    expect(await count()).toBe(0);

    // A token naming a provider id is an existing provider's staff, not an applicant.
    const existing = await seed.provider({ city }).approved();
    const byId = await api.request(APPLY, { input: filing(city) }, { token: existing.token });
    expect(code(byId)).toBe('FORBIDDEN');

    await api.data(APPLY, { input: filing(city) }, { token });
    const again = await api.request(APPLY, { input: filing(city, { name: 'Another name' }) }, { token });
    expect([code(again), again.body.errors?.[0]?.extensions?.status]).toEqual(['CONFLICT', 'PENDING']);
    expect(await api.sql(`select name, status from provider where bin = ?`, [bin])).toEqual([{ name: 'ТОО «Шахмат әлемі»', status: 'PENDING' }]);
  });

  it('tokens with a bad BIN, or with both a provider id and a BIN, are refused', async ({ expect }) => {
    const bad = await api.request(`{ me { role } }`, {}, { token: await api.token({ role: 'PROVIDER', bin: '123456789012' }) });
    expect([bad.status, code(bad)]).toEqual([401, 'UNAUTHENTICATED']);
    const both = await api.request(`{ me { role } }`, {}, { token: await api.token({ role: 'PROVIDER', bin: randomBin(), provider: '00000000-0000-7000-8000-000000000000' }) });
    expect([both.status, code(both)]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('an applicant sees its own application, not another’s; the public sees no contact person', async ({ expect }) => {
    const city = await seed.city();
    const one = await approvedApplicant(city);
    const two = await approvedApplicant(city);
    const read = `query($id: ID!) { provider(id: $id) { id application { contactName contactPhone } } }`;
    expect((await api.data(read, { id: one.id }, { token: one.token })).provider.application).toEqual({ contactName: 'Ерлан Жақсыбеков', contactPhone: '+77015551234' });
    const rival = await api.request(read, { id: one.id }, { token: two.token });
    expect([rival.body.data?.provider, code(rival)]).toEqual([{ id: one.id, application: null }, 'FORBIDDEN']);
    const anonymous = await api.request(read, { id: one.id });
    expect([anonymous.body.data?.provider, code(anonymous)]).toEqual([{ id: one.id, application: null }, 'FORBIDDEN']);
    const agency = await api.request(read, { id: one.id }, { token: await seed.agency() });
    expect([agency.body.data?.provider, code(agency)]).toEqual([{ id: one.id, application: null }, 'FORBIDDEN']);
  });

  it('an operator of another city, a missing reason, or a decision that does not fit the status is refused', async ({ expect }) => {
    const city = await seed.city();
    const elsewhere = await seed.city();
    const token = await applicantToken(randomBin());
    const providerId = (await api.data(APPLY, { input: filing(city) }, { token })).applyAsProvider.provider.id;
    const operator = await seed.operator(city);

    const foreign = await api.request(DECIDE, { input: { providerId, decision: 'APPROVE', reason: 'Looks fine' } }, { token: await seed.operator(elsewhere) });
    expect(code(foreign)).toBe('FORBIDDEN');
    const blank = await api.request(DECIDE, { input: { providerId, decision: 'REJECT', reason: '   ' } }, { token: operator });
    expect([code(blank), field(blank)]).toEqual(['BAD_USER_INPUT', 'input.reason']);
    const omitted = await api.request(`mutation($id: ID!) { decideProvider(input: { providerId: $id, decision: REJECT }) { provider { id } } }`, { id: providerId }, { token: operator });
    expect(code(omitted)).toBe('BAD_USER_INPUT');
    const bySelf = await api.request(DECIDE, { input: { providerId, decision: 'APPROVE', reason: 'I am great' } }, { token });
    expect(code(bySelf)).toBe('FORBIDDEN');
    const reinstatePending = await api.request(DECIDE, { input: { providerId, decision: 'REINSTATE', reason: 'Back again' } }, { token: operator });
    expect([code(reinstatePending), reinstatePending.body.errors?.[0]?.extensions?.from]).toEqual(['CONFLICT', 'PENDING']);
    const unknown = await api.request(DECIDE, { input: { providerId: '00000000-0000-7000-8000-000000000000', decision: 'APPROVE', reason: 'Who?' } }, { token: operator });
    expect(code(unknown)).toBe('NOT_FOUND');

    // Nothing was written: still PENDING, only the application in the audit log.
    expect(await api.sql(`select status, status_reason from provider where id = ?`, [providerId])).toEqual([{ status: 'PENDING', status_reason: null }]);
    expect((await audit(providerId)).map((e: any) => e.action)).toEqual(['PROVIDER_APPLIED']);
  });

  it('a rejection carries its reason; the provider applies again; suspension and reinstatement are decisions with reasons', async ({ expect }) => {
    const city = await seed.city();
    const operator = await seed.operator(city);
    const bin = randomBin();
    const token = await applicantToken(bin);
    const providerId = (await api.data(APPLY, { input: filing(city, { licenceReference: 'EXPIRED-1' }) }, { token })).applyAsProvider.provider.id;

    const rejected = (await api.data(DECIDE, { input: { providerId, decision: 'REJECT', reason: 'The licence has expired' } }, { token: operator })).decideProvider.provider;
    expect(rejected).toMatchObject({ status: 'REJECTED', application: { decisionReason: 'The licence has expired' } });
    // The applicant reads why (its BIN token now names the record).
    const own = await api.data(`query($id: ID!) { provider(id: $id) { status application { decisionReason } } }`, { id: providerId }, { token });
    expect(own.provider).toEqual({ status: 'REJECTED', application: { decisionReason: 'The licence has expired' } });

    const reapplied = (await api.data(APPLY, { input: filing(city, { licenceReference: 'KZ99LAA00099999' }) }, { token })).applyAsProvider.provider;
    expect(reapplied).toMatchObject({ id: providerId, status: 'PENDING', application: { licenceReference: 'KZ99LAA00099999' } });
    await api.data(DECIDE, { input: { providerId, decision: 'APPROVE', reason: 'New licence checked' } }, { token: operator });
    await api.data(DECIDE, { input: { providerId, decision: 'SUSPEND', reason: 'Inspection found no teacher' } }, { token: operator });
    const suspendAgain = await api.request(DECIDE, { input: { providerId, decision: 'SUSPEND', reason: 'Twice' } }, { token: operator });
    expect(code(suspendAgain)).toBe('CONFLICT');
    const approveSuspended = await api.request(DECIDE, { input: { providerId, decision: 'APPROVE', reason: 'Not the way back' } }, { token: operator });
    expect(code(approveSuspended)).toBe('CONFLICT');
    const back = (await api.data(DECIDE, { input: { providerId, decision: 'REINSTATE', reason: 'Teacher hired' } }, { token: operator })).decideProvider.provider;
    expect(back).toMatchObject({ status: 'APPROVED', application: { decisionReason: 'Teacher hired' } });

    expect((await audit(providerId)).map((e: any) => [e.action, e.before?.status ?? null, e.after.status, e.reason])).toEqual([
      ['PROVIDER_APPLIED', null, 'PENDING', null],
      ['PROVIDER_REJECTED', 'PENDING', 'REJECTED', 'The licence has expired'],
      ['PROVIDER_REAPPLIED', 'REJECTED', 'PENDING', null],
      ['PROVIDER_APPROVED', 'PENDING', 'APPROVED', 'New licence checked'],
      ['PROVIDER_SUSPENDED', 'APPROVED', 'SUSPENDED', 'Inspection found no teacher'],
      ['PROVIDER_REINSTATED', 'SUSPENDED', 'APPROVED', 'Teacher hired'],
    ]);
    // The suspension is kept as a period, as for any suspension (settlement never pays those days).
    expect(await api.sql(`select count(*)::int as n from suspension where subject_id = ? and ends_at is not null`, [providerId])).toEqual([{ n: 1 }]);
  });
});

describe.concurrent('programs under review: refusals write nothing', () => {
  it('nobody but the city publishes, nobody but the owner submits, and only what is in review is decided', async ({ expect }) => {
    const city = await seed.city();
    const elsewhere = await seed.city();
    const owner = await approvedApplicant(city);
    const rival = await approvedApplicant(city);
    const operator = await seed.operator(city);
    const programId = (await api.data(CREATE, { input: draft(owner.id) }, { token: owner.token })).createProgram.program.id;

    const earlyPublish = await api.request(REVIEW, { input: { programId, decision: 'PUBLISH' } }, { token: operator });
    expect([code(earlyPublish), earlyPublish.body.errors?.[0]?.extensions?.from]).toEqual(['CONFLICT', 'DRAFT']);
    const rivalSubmit = await api.request(SUBMIT, { id: programId }, { token: rival.token });
    expect(code(rivalSubmit)).toBe('FORBIDDEN');
    const operatorSubmit = await api.request(SUBMIT, { id: programId }, { token: operator });
    expect(code(operatorSubmit)).toBe('FORBIDDEN');
    await api.data(SUBMIT, { id: programId }, { token: owner.token });
    const resubmit = await api.request(SUBMIT, { id: programId }, { token: owner.token });
    expect(code(resubmit)).toBe('CONFLICT');

    const selfPublish = await api.request(REVIEW, { input: { programId, decision: 'PUBLISH' } }, { token: owner.token });
    expect(code(selfPublish)).toBe('FORBIDDEN');
    const foreign = await api.request(REVIEW, { input: { programId, decision: 'PUBLISH' } }, { token: await seed.operator(elsewhere) });
    expect(code(foreign)).toBe('FORBIDDEN');
    const noComment = await api.request(REVIEW, { input: { programId, decision: 'RETURN' } }, { token: operator });
    expect([code(noComment), field(noComment)]).toEqual(['BAD_USER_INPUT', 'input.comment']);
    const unknown = await api.request(REVIEW, { input: { programId: '00000000-0000-7000-8000-000000000000', decision: 'PUBLISH' } }, { token: operator });
    expect(code(unknown)).toBe('NOT_FOUND');

    expect(await api.sql(`select status, review_comment, published_at from program where id = ?`, [programId])).toEqual([{ status: 'IN_REVIEW', review_comment: null, published_at: null }]);
    expect((await audit(programId)).map((e: any) => e.action)).toEqual(['PROGRAM_SUBMITTED']);
  });

  it('a weekly schedule is checked: weekday, time, length, overlaps, and not both forms at once', async ({ expect }) => {
    const city = await seed.city();
    const owner = await approvedApplicant(city);
    const cases: [Record<string, unknown>, string][] = [
      [{ weeklySchedule: [{ weekday: 8, start: '15:00', minutes: 60 }] }, 'input.weeklySchedule[0].weekday'],
      [{ weeklySchedule: [{ weekday: 1, start: '25:00', minutes: 60 }] }, 'input.weeklySchedule[0].start'],
      [{ weeklySchedule: [{ weekday: 1, start: '15:00', minutes: 5 }] }, 'input.weeklySchedule[0].minutes'],
      [{ weeklySchedule: [{ weekday: 1, start: '23:30', minutes: 60 }] }, 'input.weeklySchedule[0].minutes'],
      [{ weeklySchedule: [{ weekday: 3, start: '15:00', minutes: 90 }, { weekday: 3, start: '16:00', minutes: 60 }] }, 'input.weeklySchedule[1].start'],
      [{ schedule: [{ weekday: 1, startsAt: '15:00', endsAt: '16:00' }] }, 'input.weeklySchedule'],
    ];
    for (const [overrides, path] of cases) {
      const res = await api.request(CREATE, { input: draft(owner.id, overrides) }, { token: owner.token });
      expect([code(res), field(res)], JSON.stringify(overrides)).toEqual(['BAD_USER_INPUT', path]);
    }
    expect(await api.sql(`select count(*)::int as n from program where provider_id = ?`, [owner.id])).toEqual([{ n: 0 }]);
  });

  it('a parent cannot enroll into a program that is not published, nor without the contract and consent', async ({ expect }) => {
    const city = await seed.city();
    const owner = await approvedApplicant(city);
    const programId = (await api.data(CREATE, { input: draft(owner.id) }, { token: owner.token })).createProgram.program.id;
    const { family, offerId } = await seed.offered(city, 'UNIVERSAL', { birthDate: birthDateOfAge(9) });
    const accept = (input: Record<string, unknown>) => api.request(ACCEPT, { input: { offerId, programId, acceptTerms: true, personalDataConsent: true, ...input } }, { token: family.token });

    const draftProgram = await accept({});
    expect([code(draftProgram), field(draftProgram)]).toEqual(['BAD_USER_INPUT', 'input.programId']);
    await api.data(SUBMIT, { id: programId }, { token: owner.token });
    const inReview = await accept({});
    expect([code(inReview), field(inReview)]).toEqual(['BAD_USER_INPUT', 'input.programId']);
    await api.data(REVIEW, { input: { programId, decision: 'PUBLISH' } }, { token: await seed.operator(city) });

    const noTerms = await accept({ acceptTerms: false });
    expect([code(noTerms), field(noTerms)]).toEqual(['BAD_USER_INPUT', 'input.acceptTerms']);
    const noConsent = await accept({ personalDataConsent: false });
    expect([code(noConsent), field(noConsent)]).toEqual(['BAD_USER_INPUT', 'input.personalDataConsent']);
    const omitted = await api.request(`mutation($o: ID!, $p: ID!) { acceptOffer(input: { offerId: $o, programId: $p }) { enrollment { id } } }`, { o: offerId, p: programId }, { token: family.token });
    expect(code(omitted)).toBe('BAD_USER_INPUT');
    const stale = await accept({ termsVersion: 7 });
    expect([code(stale), stale.body.errors?.[0]?.extensions?.termsVersion]).toEqual(['CONFLICT', 1]);

    // Nothing was written: the offer still pending, no enrollment, no seat taken.
    expect(await api.sql(`select status from offer where id = ?`, [offerId])).toEqual([{ status: 'PENDING' }]);
    expect(await api.sql(`select seats_taken from program where id = ?`, [programId])).toEqual([{ seats_taken: 0 }]);
    const { acceptOffer } = await api.data(ACCEPT, { input: { offerId, programId, acceptTerms: true, personalDataConsent: true } }, { token: family.token });
    expect(acceptOffer.enrollment.contract.terms).toEqual({ version: 1 });
  });
});

describe.concurrent('at the same moment', () => {
  it('two operators deciding one application at once: one decision, the other CONFLICT, one audit entry', async ({ expect }) => {
    const city = await seed.city();
    const providerId = (await api.data(APPLY, { input: filing(city) }, { token: await applicantToken(randomBin()) })).applyAsProvider.provider.id;
    const [aliya, bolat] = await Promise.all([api.token({ role: 'OPERATOR', city, name: 'Aliya' }), api.token({ role: 'OPERATOR', city, name: 'Bolat' })]);
    const answers = await Promise.all([
      api.request(DECIDE, { input: { providerId, decision: 'APPROVE', reason: 'All documents in order' } }, { token: aliya }),
      api.request(DECIDE, { input: { providerId, decision: 'REJECT', reason: 'Licence does not cover sports' } }, { token: bolat }),
    ]);
    const won = answers.filter((res) => !res.body.errors);
    expect(won).toHaveLength(1);
    expect(answers.filter((res) => res.body.errors).map(code)).toEqual(['CONFLICT']);
    const status = won[0]!.body.data!.decideProvider.provider.status as string;
    expect(['APPROVED', 'REJECTED']).toContain(status);
    const decisions = (await audit(providerId)).filter((e: any) => e.action !== 'PROVIDER_APPLIED');
    expect(decisions.map((e: any) => e.after.status)).toEqual([status]);
    expect(await api.sql(`select status from provider where id = ?`, [providerId])).toEqual([{ status }]);
  });

  it('two first applications of one BIN at once: one provider, the other CONFLICT', async ({ expect }) => {
    const city = await seed.city();
    const bin = randomBin();
    const token = await applicantToken(bin);
    const answers = await Promise.all([api.request(APPLY, { input: filing(city) }, { token }), api.request(APPLY, { input: filing(city, { name: 'Same BIN, twice' }) }, { token })]);
    expect(answers.map((res) => (res.body.errors ? code(res) : 'OK')).sort()).toEqual(['CONFLICT', 'OK']);
    expect(await api.sql(`select count(*)::int as n from provider where bin = ?`, [bin])).toEqual([{ n: 1 }]);
  });

  it('publish and return at once: one review decision stands', async ({ expect }) => {
    const city = await seed.city();
    const owner = await approvedApplicant(city);
    const programId = (await api.data(CREATE, { input: draft(owner.id) }, { token: owner.token })).createProgram.program.id;
    await api.data(SUBMIT, { id: programId }, { token: owner.token });
    const [aliya, bolat] = await Promise.all([api.token({ role: 'OPERATOR', city, name: 'Aliya' }), api.token({ role: 'OPERATOR', city, name: 'Bolat' })]);
    const answers = await Promise.all([
      api.request(REVIEW, { input: { programId, decision: 'PUBLISH' } }, { token: aliya }),
      api.request(REVIEW, { input: { programId, decision: 'RETURN', comment: 'Add the room number' } }, { token: bolat }),
    ]);
    expect(answers.filter((res) => res.body.errors).map(code)).toEqual(['CONFLICT']);
    const status = answers.find((res) => !res.body.errors)!.body.data!.reviewProgram.program.status;
    expect((await audit(programId)).map((e: any) => e.after.status)).toEqual(['IN_REVIEW', status]);
  });
});
