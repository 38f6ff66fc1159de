// A world for the privacy tests, in a database of its own (created in the run's PostgreSQL and
// dropped afterwards): its lists then hold exactly this world, so "nothing protected comes back"
// can be asserted over whole responses, and its queues and settlements disturb no other file.
//
// One family whose child applied in SHYMKENT, then took a universal voucher in ASTANA: enrolled at
// provider One, a session there, switched to provider Two, a session there, both confirmed, and the
// first month settled (a payment line). Another family waits in ASTANA; provider Three is unrelated.
import { localDate } from '../../src/domain/calendar.js';
import { TestApi } from './api.js';
import { randomIin, randomParentIin } from './ids.js';
import { type ProviderHandle, Seed } from './seed.js';
import { freshDatabase } from './fresh-database.js';

export const HOME = 'ASTANA';
export const AWAY = 'SHYMKENT';

export interface PrivacyWorld {
  api: TestApi;
  seed: Seed;
  tokens: Record<'family' | 'otherParent' | 'providerOne' | 'providerTwo' | 'providerThree' | 'homeOperator' | 'awayOperator' | 'agency' | 'admin', string>;
  parent: { iin: string; name: string; phone: string };
  child: { id: string; iin: string; fullName: string; birthDate: string; age: number };
  applications: { home: string; away: string };
  offerId: string;
  voucherId: string;
  enrollments: { one: string; two: string };
  attendances: { one: string; two: string };
  paymentId: string;
  providers: { one: ProviderHandle; two: ProviderHandle; three: ProviderHandle };
  programs: { one: string; two: string };
  close(): Promise<void>;
}

const shiftDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);


export async function buildPrivacyWorld(options: { name?: string; providerName?: string; programTitle?: string } = {}): Promise<PrivacyWorld> {
  const { db, drop } = await freshDatabase('kezek_privacy');
  const api = await TestApi.start({ db, limits: { maxCost: 1e15, maxCostStaff: 1e15, maxDepth: 30, maxAliases: 50, maxPayloadBytes: 10 * 1024 * 1024 } });
  const seed = new Seed(api);
  const data = (query: string, variables: Record<string, unknown>, token: string, at?: Date) => api.data(query, variables, { token, at });
  /** A request's own time: the start (UTC) of a YYYY-MM-DD day, as enrollments were once back-dated to. */
  const atStartOf = (day: string) => new Date(`${day}T00:00:00Z`);

  const admin = await seed.admin();
  const homeOperator = await seed.operator(HOME);
  const one = await seed.provider({ city: HOME, kind: 'SCHOOL', name: options.providerName }).approved();
  const two = await seed.provider({ city: HOME, kind: 'PRIVATE' }).approved();
  const three = await seed.provider({ city: HOME, kind: 'PRIVATE' }).approved();
  const programOne = (await seed.program(one, { minAge: 6, maxAge: 13, title: { kk: 'Шахмат', ru: options.programTitle ?? 'Шахматы' } })).id;
  const programTwo = (await seed.program(two, { minAge: 6, maxAge: 13, direction: 'SPORTS' })).id;

  // The family: distinctive values, so a leak anywhere in a response is found by searching for them.
  const parent = { iin: randomParentIin(), name: 'Гүлнар Құпиясова', phone: '+77015550123' };
  const family = await api.token({ role: 'PARENT', sub: parent.iin, name: parent.name, phone: parent.phone });
  const birthDate = '2016-04-17';
  const childIin = randomIin(birthDate, 'FEMALE');
  const fullName = options.name ?? 'Ақбота Құпиясова';
  const { registerChild } = await data(
    `mutation($input: RegisterChildInput!) { registerChild(input: $input) { child { id age } } }`,
    { input: { iin: childIin, fullName, relationship: 'MOTHER', priorityCategory: 'ORPHAN' } },
    family,
  );
  const childId = registerChild.child.id as string;
  // The declared category counts (and Child.priorityCategory shows it) once the city verifies it.
  await seed.categoryVerified(childIin);
  const away = await seed.apply({ iin: parent.iin, token: family, children: [{ id: childId, iin: childIin }] }, 0, 'TARGETED', AWAY);
  const home = await seed.apply({ iin: parent.iin, token: family, children: [{ id: childId, iin: childIin }] }, 0, 'UNIVERSAL', HOME);
  // The child was enrolled three days ago and switched yesterday (each request at its own time).
  const { cities } = await api.data(`{ cities { code timezone } }`);
  const today = localDate(cities.find((c: any) => c.code === HOME).timezone, new Date());
  await seed.quotaRoom(HOME, 'UNIVERSAL', 1);
  const [offer] = await seed.issue(HOME, 'UNIVERSAL', 1);
  const { acceptOffer } = await data(
    `mutation($o: ID!, $p: ID!) { acceptOffer(input: { offerId: $o, programId: $p, acceptTerms: true, personalDataConsent: true }) { enrollment { id voucher { id } } } }`,
    { o: offer!.id, p: programOne },
    family,
    atStartOf(shiftDays(today, -3)),
  );
  const enrollmentOne = acceptOffer.enrollment.id as string;

  // Sessions: at provider One two days ago, then the switch, then at provider Two today.
  const RECORD = `mutation($input: RecordAttendanceInput!) { recordAttendance(input: $input) { attendances { id } } }`;
  const CONFIRM = `mutation($ids: [ID!]!) { confirmAttendance(input: { attendanceIds: $ids }) { attendances { id } } }`;
  const sessionOne = (await data(RECORD, { input: { programId: programOne, date: shiftDays(today, -2), childIds: [childId], hours: 1.5 } }, one.token)).recordAttendance.attendances[0].id;
  const { switchProgram } = await data(
    `mutation($e: ID!, $p: ID!) { switchProgram(input: { enrollmentId: $e, programId: $p, acceptTerms: true, personalDataConsent: true }) { enrollment { id } } }`,
    { e: enrollmentOne, p: programTwo },
    family,
    atStartOf(shiftDays(today, -1)),
  );
  const enrollmentTwo = switchProgram.enrollment.id as string;
  const sessionTwo = (await data(RECORD, { input: { programId: programTwo, date: today, childIds: [childId], hours: 2 } }, two.token)).recordAttendance.attendances[0].id;
  await data(CONFIRM, { ids: [sessionOne] }, family);
  await data(CONFIRM, { ids: [sessionTwo] }, family);
  const { settlePeriod } = await data(
    `mutation($p: String!) { settlePeriod(input: { city: "${HOME}", period: $p }) { payments { id provider { id } } } }`,
    { p: shiftDays(today, -2).slice(0, 7) },
    homeOperator,
  );
  const paymentId = settlePeriod.payments.find((p: any) => p.provider.id === one.id).id as string;

  // Another family, waiting in the same city.
  const other = await seed.parent().withChild();
  await seed.apply(other, 0, 'UNIVERSAL', HOME);

  return {
    api,
    seed,
    tokens: {
      family,
      otherParent: other.token,
      providerOne: one.token,
      providerTwo: two.token,
      providerThree: three.token,
      homeOperator,
      awayOperator: await seed.operator(AWAY),
      agency: await seed.agency(),
      admin,
    },
    parent,
    child: { id: childId, iin: childIin, fullName, birthDate, age: registerChild.child.age },
    applications: { home, away },
    offerId: offer!.id,
    voucherId: acceptOffer.enrollment.voucher.id,
    enrollments: { one: enrollmentOne, two: enrollmentTwo },
    attendances: { one: sessionOne, two: sessionTwo },
    paymentId,
    providers: { one, two, three },
    programs: { one: programOne, two: programTwo },
    close: async () => {
      await api.close();
      await drop();
    },
  };
}
