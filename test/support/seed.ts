// Fluent builders that create test data through the public API, each call with fresh ids:
//   const provider = await seed.provider({ city: 'ASTANA', kind: 'SCHOOL' }).approved();
//   const family = await seed.parent().withChild();
import { randomBytes } from 'node:crypto';
import { kzIbanOf } from '../../src/domain/bank-details.js';
import { randomBin, randomChildBirthDate, randomIin, randomParentIin } from './ids.js';
import type { TestApi } from './api.js';
import type {
  AcceptOfferMutation,
  AcceptOfferMutationVariables,
  ApplyForVoucherMutation,
  ApplyForVoucherMutationVariables,
  ConfirmAttendanceMutation,
  ConfirmAttendanceMutationVariables,
  IssueVouchersMutation,
  IssueVouchersMutationVariables,
  RecordAttendanceMutation,
  RecordAttendanceMutationVariables,
  SettlePeriodMutation,
  SettlePeriodMutationVariables,
} from '../generated/operations.js';

export interface ProviderHandle {
  id: string;
  bin: string;
  city: string;
  kind: string;
  /** A PROVIDER token for this provider's staff. */
  token: string;
}

export interface ProgramHandle {
  id: string;
  providerId: string;
}

export interface FamilyHandle {
  iin: string;
  token: string;
  children: { id: string; iin: string }[];
}

const PROGRAM_FIELDS = `id title { kk ru } direction minAge maxAge seats freeSeats active`;

export class Seed {
  constructor(private readonly api: TestApi) {}

  admin = () => this.api.token({ role: 'ADMIN', sub: 'test-admin' });

  /**
   * A city of the test's own, with version 1 of the default rules (the pilot cities' defaults):
   * its queues, quotas and positions belong to this test alone, so it can assert exact positions
   * and run beside other tests. Cities are fixed data in production (migrations add them); only
   * tests make them, here. Returns the new city's code.
   */
  async city(options: { timezone?: string; name?: string } = {}): Promise<string> {
    // Letters only, as city codes are ([A-Z_]): TEST_ and ten random ones.
    const code = `TEST_${[...randomBytes(10)].map((b) => String.fromCharCode(65 + (b % 26))).join('')}`;
    const name = options.name ?? `Test city ${code}`;
    await this.api.sql(
      // Version 1 copied whole (every column, also those later migrations add) from a pilot city's.
      `with c as (insert into city (id, code, name_kk, name_ru, name_en, timezone) values (gen_random_uuid(), ?, ?, ?, ?, ?) returning id)
       insert into city_rules
       select (jsonb_populate_record(null::city_rules, to_jsonb(r) || jsonb_build_object('id', gen_random_uuid(), 'city_id', c.id, 'created_by', 'SYSTEM:test', 'created_at', now()))).*
         from c, city_rules r join city t on t.id = r.city_id where t.code = 'ASTANA' and r.version = 1`,
      [code, name, name, name, options.timezone ?? 'Asia/Almaty'],
    );
    return code;
  }
  operator = (city: string) => this.api.token({ role: 'OPERATOR', city });
  agency = () => this.api.token({ role: 'AGENCY', sub: 'test-agency' });

  /**
   * Registers a provider (PENDING); `.approved()` on the result approves it too and gives it
   * confirmed bank details (proposed by the provider, confirmed by an admin), so its payments can
   * be approved; `bankDetails: false` leaves it without.
   */
  provider(options: { city?: string; kind?: 'SCHOOL' | 'STATE_INSTITUTION' | 'PRIVATE'; name?: string; bankDetails?: boolean } = {}) {
    const register = async (approve: boolean): Promise<ProviderHandle> => {
      const city = options.city ?? 'ASTANA';
      const kind = options.kind ?? 'SCHOOL';
      const admin = await this.admin();
      const bin = randomBin();
      const { registerProvider } = await this.api.data(
        `mutation($input: RegisterProviderInput!) { registerProvider(input: $input) { provider { id } } }`,
        { input: { bin, name: options.name ?? `Test provider ${bin}`, kind, city } },
        { token: admin },
      );
      const id = registerProvider.provider.id as string;
      if (approve) {
        await this.api.data(`mutation($id: ID!) { approveProvider(input: { providerId: $id }) { provider { id } } }`, { id }, { token: admin });
      }
      const handle = { id, bin, city, kind, token: await this.api.token({ role: 'PROVIDER', provider: id }) };
      if (approve && options.bankDetails !== false) await this.bankDetails(handle, kzIbanOf(`125${bin.slice(0, 8)}KZT00`), 'HSBKKZKX');
      return handle;
    };
    const pending = () => register(false);
    return { pending, approved: () => register(true) };
  }

  /** The provider proposes bank details and an admin confirms them; returns the confirmed set's id. */
  async bankDetails(provider: ProviderHandle, iban: string, bik: string): Promise<string> {
    const { proposeBankDetails } = await this.api.data(
      `mutation($input: ProposeBankDetailsInput!) { proposeBankDetails(input: $input) { bankDetails { id } } }`,
      { input: { iban, bik } },
      { token: provider.token },
    );
    const id = proposeBankDetails.bankDetails.id as string;
    await this.api.data(`mutation($id: ID!) { confirmBankDetails(input: { bankDetailsId: $id }) { bankDetails { id } } }`, { id }, { token: await this.admin() });
    return id;
  }

  async program(provider: ProviderHandle, fields: Record<string, unknown> = {}): Promise<ProgramHandle & Record<string, any>> {
    const { createProgram } = await this.api.data(
      `mutation($input: CreateProgramInput!) { createProgram(input: $input) { program { ${PROGRAM_FIELDS} } } }`,
      {
        input: {
          providerId: provider.id,
          title: { kk: 'Робототехника үйірмесі', ru: 'Кружок робототехники' },
          direction: 'EDUCATIONAL',
          minAge: 7,
          maxAge: 12,
          seats: 20,
          schedule: [{ weekday: 2, startsAt: '15:00', endsAt: '16:30' }],
          language: 'KK_RU',
          ...fields,
        },
      },
      // The city adds it (published at once): tests that are not about review need a program parents can choose.
      // A provider's own createProgram makes a DRAFT for review (test/integration/provider-onboarding.spec.ts).
      // One admin identity per provider, so a test adding many programs stays within the per-caller mutation rate.
      { token: await this.api.token({ role: 'ADMIN', sub: `test-admin:${provider.id}` }) },
    );
    return { ...createProgram.program, providerId: provider.id };
  }

  /** The open verification case of a child (its claim id), as an administrator finds it. */
  async caseOf(childIin: string, token?: string): Promise<string> {
    const { verificationCases } = await this.api.data(
      `query($iin: String!) { verificationCases(filter: { childIin: $iin }) { edges { node { id } } } }`,
      { iin: childIin },
      { token: token ?? (await this.admin()) },
    );
    if (verificationCases.edges.length !== 1) throw new Error(`expected one open case for ${childIin}, found ${verificationCases.edges.length}`);
    return verificationCases.edges[0].node.id;
  }

  /** The city checks the certificate behind a child's declared priority category and verifies it. */
  async categoryVerified(childIin: string): Promise<void> {
    await this.api.data(
      `mutation($input: DecideClaimInput!) { decidePriorityCategory(input: $input) { case { priorityCategoryStatus } } }`,
      { input: { caseId: await this.caseOf(childIin), decision: 'VERIFY', evidenceReference: `certificate ${childIin}` } },
      { token: await this.admin() },
    );
  }

  /** Puts a child in a queue; returns the application's id. */
  async apply(family: FamilyHandle, child: number, voucherType: 'TARGETED' | 'UNIVERSAL', city: string): Promise<string> {
    return (await this.applied(family, child, voucherType, city)).id;
  }

  /** Makes room for `extra` more vouchers in this year's quota, whatever earlier tests used. */
  async quotaRoom(city: string, voucherType: 'TARGETED' | 'UNIVERSAL', extra: number): Promise<void> {
    const period = String(new Date().getFullYear());
    const [row] = await this.api.sql<{ used: number }>(
      `select q.used from quota q join city c on c.id = q.city_id where c.code = ? and q.voucher_type = ? and q.period = ?`,
      [city, voucherType, period],
    );
    await this.api.data(
      `mutation($input: SetQuotaInput!) { setQuota(input: $input) { quota { id } } }`,
      { input: { city, voucherType, period, count: (row?.used ?? 0) + extra } },
      { token: await this.operator(city) },
    );
  }

  /** Issues vouchers as the city's operator; returns the offers (id, application id) in order. */
  async issue(city: string, voucherType: 'TARGETED' | 'UNIVERSAL', count: number): Promise<{ id: string; applicationId: string }[]> {
    const { issueVouchers } = await this.api.operation<IssueVouchersMutation, IssueVouchersMutationVariables>(
      'IssueVouchers',
      { input: { city, voucherType, count } },
      { token: await this.operator(city) },
    );
    return issueVouchers.offers.map((o) => ({ id: o.id, applicationId: o.application.id }));
  }

  /**
   * A child enrolled in `programId` through the real path (apply, issue, accept), the offer
   * accepted at the start of `since` (the request's own time), so past sessions can be recorded.
   */
  async enrolled(programId: string, city: string, since: string, options: { type?: 'TARGETED' | 'UNIVERSAL'; birthDate?: string } = {}) {
    const type = options.type ?? 'UNIVERSAL';
    const family = await this.parent().withChild(1, options.birthDate, 'ORPHAN');
    const { id: applicationId, position } = await this.applied(family, 0, type, city);
    await this.quotaRoom(city, type, position!);
    const offer = (await this.issue(city, type, position!)).find((o) => o.applicationId === applicationId)!;
    const { acceptOffer } = await this.api.operation<AcceptOfferMutation, AcceptOfferMutationVariables>(
      'AcceptOffer',
      { input: { offerId: offer.id, programId, acceptTerms: true, personalDataConsent: true } },
      { token: family.token, at: new Date(`${since}T00:00:00Z`) },
    );
    const enrollmentId = acceptOffer.enrollment.id;
    return { family, childId: family.children[0]!.id, enrollmentId };
  }

  /** A parent with a token; `.withChild()` registers children through the API. */
  parent(options: { name?: string; phone?: string } = {}) {
    const iin = randomParentIin();
    const tokenPromise = this.api.token({ role: 'PARENT', sub: iin, name: options.name ?? 'Айгүл Сәрсенова', phone: options.phone ?? '+77011234567' });
    // Children get varied birth dates (ages 9–11) unless a test needs one: an IIN has only 10,000
    // serials per birth date and sex, and hundreds of same-day children would collide.
    // The family's link is confirmed by the population registry as it registers (the test server's
    // demo adapter). A priority category counts only once the city has seen its certificate: unless
    // `categoryVerified: false`, an administrator verifies it right after registration, before the
    // family applies, so the application ranks by it from the start.
    const withChild = async (count = 1, birthDate?: string, priorityCategory = 'NONE', options: { categoryVerified?: boolean } = {}): Promise<FamilyHandle> => {
      const token = await tokenPromise;
      const children = [];
      for (let i = 0; i < count; i++) {
        const childIin = randomIin(birthDate ?? randomChildBirthDate(), i % 2 ? 'FEMALE' : 'MALE');
        const { registerChild } = await this.api.data(
          `mutation($input: RegisterChildInput!) { registerChild(input: $input) { child { id iin } } }`,
          { input: { iin: childIin, fullName: `Бала ${i + 1}`, relationship: 'MOTHER', priorityCategory } },
          { token },
        );
        children.push(registerChild.child as { id: string; iin: string });
        if (priorityCategory !== 'NONE' && options.categoryVerified !== false) await this.categoryVerified(childIin);
      }
      return { iin, token, children };
    };
    return { iin, token: () => tokenPromise, withChild };
  }

  // ── Worlds of a test's own (issue 12, tests-a): a family waiting in, or offered from, a queue of
  // the test's own city (`seed.city()`), so a test knows exactly who is ahead of whom. ──

  /**
   * A new family whose one child (of `category`, verified unless `categoryVerified: false`) waits
   * in `city`'s `voucherType` queue; returns the family and its application.
   */
  async queued(
    city: string,
    voucherType: 'TARGETED' | 'UNIVERSAL',
    options: { category?: string; birthDate?: string; categoryVerified?: boolean; name?: string } = {},
  ): Promise<{ family: FamilyHandle; applicationId: string }> {
    const family = await this.parent({ name: options.name }).withChild(1, options.birthDate, options.category ?? 'NONE', { categoryVerified: options.categoryVerified });
    return { family, applicationId: await this.apply(family, 0, voucherType, city) };
  }

  /**
   * Offers the head of `city`'s `voucherType` queue its voucher (the quota grown by one) and checks
   * that the head is `applicationId`: in a city of the test's own, the test knows who heads it.
   */
  async offerTo(city: string, voucherType: 'TARGETED' | 'UNIVERSAL', applicationId: string): Promise<{ id: string; applicationId: string }> {
    await this.quotaRoom(city, voucherType, 1);
    const offers = await this.issue(city, voucherType, 1);
    if (offers.length !== 1 || offers[0]!.applicationId !== applicationId) {
      throw new Error(`expected the one offer in ${city} ${voucherType} to go to ${applicationId}, got ${JSON.stringify(offers)}`);
    }
    return offers[0]!;
  }

  /** A new family (as `queued`) whose child heads `city`'s `voucherType` queue and holds a pending offer. */
  async offered(
    city: string,
    voucherType: 'TARGETED' | 'UNIVERSAL',
    options: { category?: string; birthDate?: string } = {},
  ): Promise<{ family: FamilyHandle; applicationId: string; offerId: string }> {
    const { family, applicationId } = await this.queued(city, voucherType, options);
    return { family, applicationId, offerId: (await this.offerTo(city, voucherType, applicationId)).id };
  }

  // ---- Builders for the money, realtime and verification specs (issue 12, helper tests-b), on the
  // ---- typed operations of test/operations/flows.graphql.

  /** Puts a child in a queue; returns the application as applyForVoucher answers (id, status, position). */
  async applied(family: FamilyHandle, child: number, voucherType: 'TARGETED' | 'UNIVERSAL', city: string) {
    const { applyForVoucher } = await this.api.operation<ApplyForVoucherMutation, ApplyForVoucherMutationVariables>(
      'ApplyForVoucher',
      { input: { childId: family.children[child]!.id, voucherType, city } },
      { token: family.token },
    );
    return applyForVoucher.application;
  }

  /** A new family whose one child (of `category`, verified) waits in a queue; with the position it joined at. */
  async waiting(city: string, voucherType: 'TARGETED' | 'UNIVERSAL', options: { category?: string } = {}) {
    const family = await this.parent().withChild(1, undefined, options.category ?? 'NONE');
    const application = await this.applied(family, 0, voucherType, city);
    return { family, applicationId: application.id, position: application.position! };
  }

  /** Changes the city's rules as its operator would (a new rules version); `rules` are UpdateCityRulesInput's fields. */
  async rules(city: string, rules: Record<string, unknown>): Promise<number> {
    const { updateCityRules } = await this.api.data(
      `mutation($input: UpdateCityRulesInput!) { updateCityRules(input: $input) { rules { version } } }`,
      { input: { city, ...rules } },
      { token: await this.operator(city) },
    );
    return updateCityRules.rules.version;
  }

  /** A provider records a session for the children; returns the sessions as recordAttendance answers. */
  async recorded(provider: ProviderHandle, programId: string, date: string, childIds: string[], hours = 1) {
    const { recordAttendance } = await this.api.operation<RecordAttendanceMutation, RecordAttendanceMutationVariables>(
      'RecordAttendance',
      { input: { programId, date, childIds, hours } },
      { token: provider.token },
    );
    return recordAttendance.attendances;
  }

  /** The parent confirms the sessions; returns them as confirmAttendance answers. */
  async confirmed(family: FamilyHandle, attendanceIds: string[], idempotencyKey?: string) {
    const { confirmAttendance } = await this.api.operation<ConfirmAttendanceMutation, ConfirmAttendanceMutationVariables>(
      'ConfirmAttendance',
      { input: { attendanceIds, idempotencyKey } },
      { token: family.token },
    );
    return confirmAttendance.attendances;
  }

  /** The city's operator settles a month; returns settlePeriod's answer. */
  async settled(city: string, period: string, idempotencyKey?: string) {
    const { settlePeriod } = await this.api.operation<SettlePeriodMutation, SettlePeriodMutationVariables>(
      'SettlePeriod',
      { input: { city, period, idempotencyKey } },
      { token: await this.operator(city) },
    );
    return settlePeriod;
  }
}

/**
 * Dates for payment tests, relative to today so they work on any day. "Today" is the pilot
 * cities' date (UTC+5), as the API counts it: from 19:00 UTC it is already tomorrow there.
 */
export function previousMonth(now = new Date(), timezone = 'Asia/Almaty'): { period: string; day: (n: number) => string; windowDays: number } {
  const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone: timezone }).format(now).split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 2, 1));
  const period = first.toISOString().slice(0, 7);
  const daysSinceStart = Math.floor((Date.UTC(y, m - 1, d) - first.getTime()) / 86_400_000);
  // With this window, sessions on days 1–15 of the month are past it and days 16 onwards are not.
  return { period, day: (n: number) => `${period}-${String(n).padStart(2, '0')}`, windowDays: daysSinceStart - 15 };
}
