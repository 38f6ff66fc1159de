// `npm run seed -- --scenario article`: the situation article claim 9 reports — 11,113 universal and
// 29,061 targeted vouchers assigned, 12,454 children waiting — built in one pilot city. That is about
// 400,000 rows, so they go in as multi-row INSERT … SELECT FROM unnest(…) batches: an entity or a
// statement per row would take minutes. One transaction, so a failure leaves nothing behind.
//
// Everything but the uuids derives from the city code (skipping any IIN or BIN already taken), so a
// city always gets the same people.

import type { Knex } from '@mikro-orm/postgresql';
import { priorityRank } from '../domain/priority.js';
import { Direction, PriorityCategory, ProviderKind, Relationship, Sex, TeachingLanguage, VoucherType } from '../domain/enums.js';
import { withCheckDigit } from '../domain/kazakh-ids.js';
import { providerKindsAccepting } from '../domain/voucher-eligibility.js';
import { toWeekly } from '../domain/schedule.js';
import type { Orm } from '../db/orm.js';
import { uuidv7 } from '../ids.js';
import { insertRows } from './bulk-insert.js';

export const ARTICLE_FIGURES = { universalVouchers: 11_113, targetedVouchers: 29_061, waitingChildren: 12_454 } as const;

/** How the waiting children split between the two queues; the article gives only the total. */
const WAITING_UNIVERSAL = 7_800;
const QUOTA_PERIOD = '2026';
const RULES_VERSION = 1;
/** Providers by kind. Schools and state institutions hold enough seats for every targeted voucher. */
const PROVIDER_MIX: [ProviderKind, number][] = [[ProviderKind.SCHOOL, 100], [ProviderKind.STATE_INSTITUTION, 70], [ProviderKind.PRIVATE, 40]];
const AGE_BANDS: [number, number][] = [[6, 10], [9, 13], [12, 16]];
/** Providers were approved just before the pilot began (1 June 2025). */
const CATALOGUE_APPROVED_AT = '2025-05-20T04:00:00.000Z';
/** Assigned vouchers were applied for first; the children still waiting applied in the last weeks. */
const ACCEPTED_WINDOW = ['2025-06-01T04:00:00Z', '2025-08-05T04:00:00Z'] as const;
const QUEUED_WINDOW = ['2025-08-05T04:00:00Z', '2025-08-18T13:00:00Z'] as const;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export type Progress = (message: string) => void;

export interface ArticleScenarioResult {
  city: string;
  vouchers: { TARGETED: number; UNIVERSAL: number };
  waiting: number;
  ms: number;
}

// ---------------------------------------------------------------------------------------------
// Pure helpers (unit-tested).

/** A small deterministic generator (mulberry32) seeded from a string. */
export function seededRandom(seed: string): () => number {
  let state = 2166136261;
  for (const ch of seed) state = Math.imul(state ^ ch.codePointAt(0)!, 16777619) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const between = (random: Random, min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

function weighted<T>(random: Random, table: readonly [T, number][]): T {
  let r = random();
  for (const [item, weight] of table) if ((r -= weight) < 0) return item;
  return table[0]![0];
}

/**
 * The city's own slice of a serial range, so seeds of different cities never produce the same
 * IIN or BIN.
 */
export function cityBand(index: number, cityCount: number, from: number, to: number): { first: number; last: number } {
  const width = Math.floor((to - from + 1) / cityCount);
  return { first: from + index * width, last: from + (index + 1) * width - 1 };
}

/**
 * Hands out distinct valid IINs: YYMMDD, the century-and-sex digit, a 4-digit serial from the
 * band, the check digit. Serials with no valid check digit, and `blocked` IINs (already in the
 * database), are skipped.
 */
export class IinSequence {
  private readonly next = new Map<string, number>();

  constructor(
    private readonly serials: { first: number; last: number },
    private readonly blocked: ReadonlySet<string> = new Set(),
  ) {}

  take(birthDate: string, sex: Sex): string {
    const year = Number(birthDate.slice(0, 4));
    const centuryDigit = (year >= 2000 ? 5 : 3) + (sex === Sex.FEMALE ? 1 : 0);
    const prefix = `${birthDate.slice(2, 4)}${birthDate.slice(5, 7)}${birthDate.slice(8, 10)}${centuryDigit}`;
    for (let serial = this.next.get(prefix) ?? this.serials.first; serial <= this.serials.last; serial++) {
      const iin = withCheckDigit(prefix + pad(serial, 4));
      if (iin && !this.blocked.has(iin)) {
        this.next.set(prefix, serial + 1);
        return iin;
      }
    }
    throw new Error(`No IIN serials left for ${birthDate} in ${this.serials.first}–${this.serials.last}`);
  }
}

/** `count` distinct BINs (YYMM, entity type 4, attribute 0, serial, check digit) from the band. */
export function binsFrom(serials: { first: number; last: number }, count: number, blocked: ReadonlySet<string> = new Set()): string[] {
  const bins: string[] = [];
  for (let serial = serials.first; bins.length < count; serial++) {
    if (serial > serials.last) throw new Error(`No BIN serials left in ${serials.first}–${serials.last}`);
    const yy = pad((1995 + ((serial * 7) % 30)) % 100, 2);
    const bin = withCheckDigit(`${yy}${pad((serial % 12) + 1, 2)}40${pad(serial, 5)}`);
    if (bin && !blocked.has(bin)) bins.push(bin);
  }
  return bins;
}

/** A birth date giving `age` on 1 September 2025, the start of the school year; `day` (0–364) picks which. */
export function birthDateForAge(age: number, day: number): string {
  return new Date(Date.UTC(2024 - age, 8, 2) + day * DAY_MS).toISOString().slice(0, 10);
}

/** `total` slots with exactly `count` of them true, evenly spread, so both voucher types run through the whole period. */
export function evenlySpread(total: number, count: number): boolean[] {
  return Array.from({ length: total }, (_, i) => Math.floor(((i + 1) * count) / total) > Math.floor((i * count) / total));
}

/** `count` strictly increasing instants in µs over [from, to): even steps, each with jitter under half a step. */
export function spreadInstants(from: string, to: string, count: number, random: Random): number[] {
  const start = Date.parse(from) * 1000;
  const step = ((Date.parse(to) - Date.parse(from)) * 1000) / count;
  return Array.from({ length: count }, (_, i) => Math.floor(start + i * step + (random() * step) / 2));
}

/** An instant in µs as ISO-8601 with microseconds, which PostgreSQL keeps exactly (a Date stops at ms). */
export function isoMicros(us: number): string {
  return `${new Date(Math.floor(us / 1000)).toISOString().slice(0, 19)}.${pad(us % 1_000_000, 6)}Z`;
}

export interface Seats {
  kind: ProviderKind;
  seats: number;
  taken: number;
}

/**
 * Places each voucher in a program whose provider accepts its type, round-robin over the programs
 * with free seats so clubs fill evenly. Targeted vouchers go first: fewer programs take them.
 * Returns the program index for each voucher and counts the seats in `taken`.
 */
export function allocateSeats(programs: Seats[], types: readonly VoucherType[]): number[] {
  const placed = new Array<number>(types.length);
  for (const type of [VoucherType.TARGETED, VoucherType.UNIVERSAL]) {
    const open = programs.flatMap((p, i) => (providerKindsAccepting(type).includes(p.kind) && p.taken < p.seats ? [i] : []));
    let cursor = 0;
    types.forEach((t, voucher) => {
      if (t !== type) return;
      if (open.length === 0) throw new Error(`Not enough seats for every ${type} voucher`);
      cursor %= open.length;
      const index = open[cursor]!;
      const program = programs[index]!;
      placed[voucher] = index;
      if (++program.taken === program.seats) open.splice(cursor, 1);
      else cursor++;
    });
  }
  return placed;
}

// ---------------------------------------------------------------------------------------------
// The plan: every row, built in memory from the city and its rules.

interface City {
  id: string;
  code: string;
  nameKk: string;
  nameRu: string;
  /** Position among all cities by code, for the city's id bands. */
  band: number;
  cityCount: number;
}

interface Rules {
  priorityOrder: string[];
  offerDeadlineHours: number;
}

interface ProviderRow {
  id: string;
  bin: string;
  name: string;
  kind: ProviderKind;
}

interface ProgramRow extends Seats {
  id: string;
  providerId: string;
  title: { kk: string; ru: string; en: string };
  direction: Direction;
  minAge: number;
  maxAge: number;
  language: TeachingLanguage;
  schedule: string;
  weeklySchedule: string;
}

interface Person {
  id: string;
  iin: string;
  name: string;
  birthDate: string;
  sex: Sex;
}

interface Placement {
  voucherId: string;
  offerId: string;
  enrollmentId: string;
  programId: string;
  offeredAt: string;
  deadline: string;
  decidedAt: string;
}

/** One child, their parent, and the child's application: a voucher in a program, or a place in the queue. */
interface Family {
  child: Person;
  parent: Person & { phone: string; language: 'KK' | 'RU'; relationship: Relationship };
  guardianshipId: string;
  applicationId: string;
  type: VoucherType;
  category: PriorityCategory;
  rank: number;
  submittedAt: string;
  placement?: Placement;
}

interface Plan {
  providers: ProviderRow[];
  programs: ProgramRow[];
  families: Family[];
}

const { EDUCATIONAL, CREATIVE, SPORTS } = Direction;
const CLUBS: Record<Direction, { kk: string; ru: string; en: string }[]> = {
  [EDUCATIONAL]: [
    { kk: 'Робототехника', ru: 'Робототехника', en: 'Robotics' },
    { kk: 'Шахмат', ru: 'Шахматы', en: 'Chess' },
    { kk: 'Ментальды арифметика', ru: 'Ментальная арифметика', en: 'Mental Arithmetic' },
    { kk: 'Ағылшын тілі', ru: 'Английский язык', en: 'English' },
    { kk: 'Бағдарламалау негіздері', ru: 'Основы программирования', en: 'Programming Basics' },
    { kk: 'Жас эколог', ru: 'Юный эколог', en: 'Young Ecologist' },
  ],
  [CREATIVE]: [
    { kk: 'Домбыра', ru: 'Домбра', en: 'Dombra' },
    { kk: 'Бейнелеу өнері', ru: 'Изобразительное искусство', en: 'Fine Art' },
    { kk: 'Қазақ халық биі', ru: 'Казахский народный танец', en: 'Kazakh Folk Dance' },
    { kk: 'Эстрадалық вокал', ru: 'Эстрадный вокал', en: 'Pop Vocals' },
    { kk: 'Театр студиясы', ru: 'Театральная студия', en: 'Theatre Studio' },
  ],
  [SPORTS]: [
    { kk: 'Футбол', ru: 'Футбол', en: 'Football' },
    { kk: 'Қазақ күресі', ru: 'Казакша курес', en: 'Kazakh Wrestling' },
    { kk: 'Волейбол', ru: 'Волейбол', en: 'Volleyball' },
    { kk: 'Жүзу', ru: 'Плавание', en: 'Swimming' },
    { kk: 'Дзюдо', ru: 'Дзюдо', en: 'Judo' },
    { kk: 'Жеңіл атлетика', ru: 'Лёгкая атлетика', en: 'Athletics' },
  ],
};
const DIRECTIONS = [EDUCATIONAL, CREATIVE, SPORTS];
const SLOTS = [['14:00', '15:30'], ['15:00', '16:30'], ['16:00', '17:30'], ['17:00', '18:30']] as const;
const WEEKDAYS = [[1, 3], [2, 4], [3, 5], [1, 4], [2, 5]] as const;
const BRANDS = ['Жұлдыз', 'Шабыт', 'Зерде', 'Таным', 'Өнер әлемі', 'Тұлпар', 'Ақбота', 'Болашақ', 'Бірлік', 'Алтын сақа'];

const STATE_NAMES = [
  (n: number) => `№ ${n} балалар өнер мектебі`,
  (n: number) => `Детско-юношеская спортивная школа № ${n}`,
  (n: number) => `№ ${n} оқушылар үйі`,
  (n: number) => `Дом детского творчества № ${n}`,
];

function providerName(kind: ProviderKind, n: number, city: City): string {
  if (kind === ProviderKind.SCHOOL) {
    return n % 2 ? `Школа-гимназия № ${100 + n} г. ${city.nameRu}` : `${city.nameKk} қаласының № ${100 + n} мектеп-лицейі`;
  }
  if (kind === ProviderKind.STATE_INSTITUTION) return `${STATE_NAMES[n % STATE_NAMES.length]!(n + 1)} (${city.nameRu})`;
  return `«${BRANDS[n % BRANDS.length]}» оқу орталығы, ${Math.floor(n / BRANDS.length) + 1}-филиал`;
}

function teachingLanguage(kind: ProviderKind, n: number): TeachingLanguage {
  if (kind === ProviderKind.SCHOOL) return n % 2 ? TeachingLanguage.RU : TeachingLanguage.KK;
  return n % 3 ? TeachingLanguage.KK_RU : TeachingLanguage.RU;
}

/** ~200 approved providers with three clubs each (one per direction), 60–80 seats a club. */
function buildCatalogue(city: City): { providers: ProviderRow[]; programs: ProgramRow[] } {
  const providers: ProviderRow[] = [];
  const programs: ProgramRow[] = [];
  const createdMs = Date.parse(CATALOGUE_APPROVED_AT);
  for (const [kind, count] of PROVIDER_MIX) {
    for (let n = 0; n < count; n++) {
      const provider: ProviderRow = { id: uuidv7(createdMs), bin: '', name: providerName(kind, n, city), kind };
      providers.push(provider);
      DIRECTIONS.forEach((direction, d) => {
        const p = programs.length;
        const [minAge, maxAge] = AGE_BANDS[(n + d) % AGE_BANDS.length]!;
        const [startsAt, endsAt] = SLOTS[p % SLOTS.length]!;
        const schedule = WEEKDAYS[p % WEEKDAYS.length]!.map((weekday) => ({ weekday, startsAt, endsAt }));
        programs.push({
          id: uuidv7(createdMs), providerId: provider.id, kind, title: CLUBS[direction][n % CLUBS[direction].length]!,
          direction, minAge, maxAge, seats: 60 + ((p * 7) % 21), taken: 0,
          language: teachingLanguage(kind, n), schedule: JSON.stringify(schedule), weeklySchedule: JSON.stringify(toWeekly(schedule)),
        });
      });
    }
  }
  return { providers, programs };
}

const MALE_CHILD = ['Әлихан', 'Нұрсұлтан', 'Ерасыл', 'Айсұлтан', 'Данияр', 'Арсен', 'Алдияр', 'Ильяс', 'Темірлан', 'Ахмет', 'Мирас', 'Санжар'];
const FEMALE_CHILD = ['Аружан', 'Айым', 'Інжу', 'Томирис', 'Айша', 'Медина', 'Жансая', 'Аяулым', 'Дана', 'Әсел', 'Сезім', 'Амина'];
const MALE_ADULT = ['Ерлан', 'Бауыржан', 'Серік', 'Асқар', 'Нұрлан', 'Дәурен', 'Ержан', 'Марат', 'Талғат', 'Қайрат'];
const FEMALE_ADULT = ['Айгүл', 'Гүлнара', 'Динара', 'Сәуле', 'Жанар', 'Ақмарал', 'Әйгерім', 'Назгүл', 'Гүлмира', 'Мадина'];
const SURNAMES = ['Ахметов', 'Сейітов', 'Жұмабаев', 'Нұрланов', 'Қасымов', 'Серікбаев', 'Тоқтаров', 'Омаров', 'Бекмұратов', 'Ержанов', 'Сарсенов', 'Байжанов'];
const MOBILE_CODES = ['00', '01', '02', '05', '07', '08', '47', '71', '75', '76', '77', '78'];
const CATEGORIES: [PriorityCategory, number][] = [
  [PriorityCategory.NONE, 0.9], [PriorityCategory.LARGE_FAMILY, 0.04], [PriorityCategory.LOW_INCOME, 0.02],
  [PriorityCategory.SINGLE_PARENT, 0.015], [PriorityCategory.DISABILITY, 0.01], [PriorityCategory.MILITARY_FAMILY, 0.01], [PriorityCategory.ORPHAN, 0.005],
];
const RELATIONSHIPS: [Relationship, number][] = [[Relationship.MOTHER, 0.7], [Relationship.FATHER, 0.27], [Relationship.GUARDIAN, 0.03]];

const fullName = (surname: string, sex: Sex, first: string) => `${surname}${sex === Sex.FEMALE ? 'а' : ''} ${first}`;

/** A child of `age` and the parent who applied; IINs are filled in once the database has been checked. */
function buildPeople(random: Random, age: number, createdMs: number): Pick<Family, 'child' | 'parent' | 'guardianshipId'> {
  const surname = pick(random, SURNAMES);
  const sex = random() < 0.5 ? Sex.MALE : Sex.FEMALE;
  const birthDate = birthDateForAge(age, between(random, 0, 364));
  const name = fullName(surname, sex, pick(random, sex === Sex.MALE ? MALE_CHILD : FEMALE_CHILD));
  const child = { id: uuidv7(createdMs), iin: '', birthDate, sex, name };
  const relationship = weighted(random, RELATIONSHIPS);
  const parentSex = relationship === Relationship.MOTHER || (relationship === Relationship.GUARDIAN && random() < 0.5) ? Sex.FEMALE : Sex.MALE;
  // Days 20–28 only: the test helpers' random parent IINs use days 10–19, so the two never meet.
  const parentYear = Number(birthDate.slice(0, 4)) - between(random, 22, 38);
  const parentBirth = `${parentYear}-${pad(between(random, 1, 12), 2)}-${between(random, 20, 28)}`;
  const parent = {
    id: uuidv7(createdMs), iin: '', birthDate: parentBirth, sex: parentSex, relationship,
    name: fullName(surname, parentSex, pick(random, parentSex === Sex.MALE ? MALE_ADULT : FEMALE_ADULT)),
    phone: `+77${pick(random, MOBILE_CODES)}${pad(between(random, 0, 9_999_999), 7)}`,
    language: random() < 0.65 ? ('KK' as const) : ('RU' as const),
  };
  return { child, parent, guardianshipId: uuidv7(createdMs) };
}

/** The offer the family accepted and the enrollment it led to. */
function buildPlacement(random: Random, submittedMs: number, programId: string, rules: Rules): Placement {
  const offeredMs = submittedMs + between(random, 2, 7 * 24) * HOUR_MS;
  const decidedMs = offeredMs + between(random, 1, Math.min(rules.offerDeadlineHours - 1, 47)) * HOUR_MS;
  const at = (ms: number) => new Date(ms).toISOString();
  return {
    voucherId: uuidv7(offeredMs), offerId: uuidv7(offeredMs), enrollmentId: uuidv7(decidedMs), programId,
    offeredAt: at(offeredMs), deadline: at(offeredMs + rules.offerDeadlineHours * HOUR_MS), decidedAt: at(decidedMs),
  };
}

function buildFamily(random: Random, rules: Rules, type: VoucherType, submittedUs: number, age: number): Family {
  const submittedMs = Math.floor(submittedUs / 1000);
  const category = weighted(random, CATEGORIES);
  return {
    ...buildPeople(random, age, submittedMs), applicationId: uuidv7(submittedMs), type, category,
    rank: priorityRank(rules.priorityOrder as PriorityCategory[], category), submittedAt: isoMicros(submittedUs),
  };
}

/** Families holding vouchers (in programs their type allows, at an age the program takes), then those waiting. */
function buildPlan(city: City, rules: Rules): Plan {
  const random = seededRandom(`kezek-article-${city.code}`);
  const { providers, programs } = buildCatalogue(city);
  const assigned = ARTICLE_FIGURES.targetedVouchers + ARTICLE_FIGURES.universalVouchers;
  const assignedTypes = evenlySpread(assigned, ARTICLE_FIGURES.universalVouchers).map((u) => (u ? VoucherType.UNIVERSAL : VoucherType.TARGETED));
  const seats = allocateSeats(programs, assignedTypes);
  const acceptedTimes = spreadInstants(...ACCEPTED_WINDOW, assigned, random);
  const families: Family[] = assignedTypes.map((type, i) => {
    const program = programs[seats[i]!]!;
    const family = buildFamily(random, rules, type, acceptedTimes[i]!, between(random, program.minAge, program.maxAge));
    return { ...family, placement: buildPlacement(random, Math.floor(acceptedTimes[i]! / 1000), program.id, rules) };
  });
  const waiting = ARTICLE_FIGURES.waitingChildren;
  const waitingTimes = spreadInstants(...QUEUED_WINDOW, waiting, random);
  evenlySpread(waiting, WAITING_UNIVERSAL).forEach((universal, i) => {
    const type = universal ? VoucherType.UNIVERSAL : VoucherType.TARGETED;
    families.push(buildFamily(random, rules, type, waitingTimes[i]!, between(random, 6, 16)));
  });
  return { providers, programs, families };
}

// ---------------------------------------------------------------------------------------------
// The database side.

/**
 * Locks the city row against a concurrent seed (FOR NO KEY UPDATE does not block inserts that only
 * reference the city) and refuses a city already in use.
 */
async function lockEmptyCity(trx: Knex.Transaction, requested: string): Promise<City> {
  const code = requested.trim().toUpperCase();
  const { rows } = await trx.raw(
    `select c.id, c.code, c.name_kk, c.name_ru, (select count(*) from city)::int as city_count,
       (select count(*) from city o where o.code < c.code)::int as band
     from city c where c.code = ? for no key update of c`,
    [code],
  );
  const row = rows[0];
  if (!row) {
    const known = (await trx.raw(`select string_agg(code, ', ' order by code) as codes from city`)).rows[0].codes;
    throw new Error(`Unknown city "${code}": the pilot cities are ${known}.`);
  }
  // A statement of its own, after the lock: its snapshot sees what a seed we waited for committed.
  const { rows: use } = await trx.raw(
    `select exists (select 1 from application where city_id = ?) or exists (select 1 from voucher where city_id = ?) as in_use`,
    [row.id, row.id],
  );
  if (use[0].in_use) {
    throw new Error(
      `${code} already has applications or vouchers; the article scenario needs a city without any, so its figures come out exact. Nothing was written.`,
    );
  }
  return { id: row.id, code: row.code, nameKk: row.name_kk, nameRu: row.name_ru, band: row.band, cityCount: row.city_count };
}

async function readRules(trx: Knex.Transaction, city: City): Promise<Rules> {
  const { rows } = await trx.raw(`select priority_order, offer_deadline_hours from city_rules where city_id = ? and version = ?`, [city.id, RULES_VERSION]);
  if (!rows[0]) throw new Error(`${city.code} has no rules version ${RULES_VERSION}: run the migrations first.`);
  return { priorityOrder: rows[0].priority_order, offerDeadlineHours: rows[0].offer_deadline_hours };
}

/**
 * Ids the generator makes that are free in `table`: generate, drop any the table already holds
 * (people registered by hand, other seeds), generate again without them.
 */
async function freeIds(trx: Knex.Transaction, table: 'child' | 'applicant' | 'provider', generate: (blocked: ReadonlySet<string>) => string[]): Promise<string[]> {
  const column = table === 'provider' ? 'bin' : 'iin';
  const blocked = new Set<string>();
  for (let attempt = 0; attempt < 10; attempt++) {
    const ids = generate(blocked);
    const { rows } = await trx.raw(`select ${column} as id from "${table}" where ${column} = any(?::bpchar[])`, [ids]);
    if (rows.length === 0) return ids;
    for (const row of rows) blocked.add(row.id);
  }
  throw new Error(`Could not find unused ${column.toUpperCase()}s for ${table}`);
}

/** Fills in BINs and IINs: valid, from the city's own serial band, and not already in the database. */
async function assignIds(trx: Knex.Transaction, plan: Plan, city: City): Promise<void> {
  // Seeded BINs take serials 90,000–99,999 (the demo's stay below 20,000) and seeded IINs serials
  // 5,000–9,999, each range split between the cities; freeIds skips anything already taken.
  const binBand = cityBand(city.band, city.cityCount, 90_000, 99_999);
  const bins = await freeIds(trx, 'provider', (blocked) => binsFrom(binBand, plan.providers.length, blocked));
  plan.providers.forEach((provider, i) => (provider.bin = bins[i]!));
  const iinBand = cityBand(city.band, city.cityCount, 5_000, 9_999);
  for (const [table, person] of [['child', (f: Family) => f.child], ['applicant', (f: Family) => f.parent]] as const) {
    const iins = await freeIds(trx, table, (blocked) => {
      const sequence = new IinSequence(iinBand, blocked);
      return plan.families.map((family) => sequence.take(person(family).birthDate, person(family).sex));
    });
    plan.families.forEach((family, i) => (person(family).iin = iins[i]!));
  }
}

async function insertCatalogue(trx: Knex.Transaction, plan: Plan, city: City, progress: Progress): Promise<void> {
  await insertRows(trx, 'provider', plan.providers, [
    ['id', 'uuid', (p) => p.id], ['bin', 'text', (p) => p.bin], ['name', 'text', (p) => p.name], ['kind', 'text', (p) => p.kind],
    ['city_id', 'uuid', () => city.id], ['status', 'text', () => 'APPROVED'], ['approved_at', 'timestamptz', () => CATALOGUE_APPROVED_AT],
    ['created_at', 'timestamptz', () => CATALOGUE_APPROVED_AT],
  ], (n, total) => progress(`providers ${n}/${total}`));
  await insertRows(trx, 'program', plan.programs, [
    ['id', 'uuid', (p) => p.id], ['provider_id', 'uuid', (p) => p.providerId], ['title_kk', 'text', (p) => p.title.kk],
    ['title_ru', 'text', (p) => p.title.ru], ['title_en', 'text', (p) => p.title.en], ['direction', 'text', (p) => p.direction],
    ['min_age', 'smallint', (p) => p.minAge], ['max_age', 'smallint', (p) => p.maxAge], ['seats', 'int', (p) => p.seats],
    ['seats_taken', 'int', (p) => p.taken], ['schedule', 'jsonb', (p) => p.schedule], ['language', 'text', (p) => p.language],
    ['weekly_schedule', 'jsonb', (p) => p.weeklySchedule], ['status', 'text', () => 'PUBLISHED'], ['published_at', 'timestamptz', () => CATALOGUE_APPROVED_AT],
    ['created_at', 'timestamptz', () => CATALOGUE_APPROVED_AT],
  ], (n, total) => progress(`programs ${n}/${total}`));
}

async function insertFamilies(trx: Knex.Transaction, families: Family[], progress: Progress): Promise<void> {
  await insertRows(trx, 'applicant', families, [
    ['id', 'uuid', (f) => f.parent.id], ['iin', 'text', (f) => f.parent.iin], ['full_name', 'text', (f) => f.parent.name],
    ['phone', 'text', (f) => f.parent.phone], ['language', 'text', (f) => f.parent.language], ['created_at', 'timestamptz', (f) => f.submittedAt],
  ], (n, total) => progress(`applicants ${n}/${total}`));
  await insertRows(trx, 'child', families, [
    ['id', 'uuid', (f) => f.child.id], ['iin', 'text', (f) => f.child.iin], ['full_name', 'text', (f) => f.child.name],
    ['birth_date', 'date', (f) => f.child.birthDate], ['sex', 'text', (f) => f.child.sex], ['priority_category', 'text', (f) => f.category],
    ['created_at', 'timestamptz', (f) => f.submittedAt],
  ], (n, total) => progress(`children ${n}/${total}`));
  await insertRows(trx, 'guardianship', families, [
    ['id', 'uuid', (f) => f.guardianshipId], ['applicant_id', 'uuid', (f) => f.parent.id], ['child_id', 'uuid', (f) => f.child.id],
    ['relationship', 'text', (f) => f.parent.relationship], ['created_at', 'timestamptz', (f) => f.submittedAt],
    // The scenario is a programme that has run for a while: its families' links and categories were verified long ago.
    ['full_name', 'text', (f) => f.child.name], ['status', 'text', () => 'VERIFIED'], ['registry_answer', 'text', () => 'CONFIRMED'],
    ['decided_by', 'text', () => 'SYSTEM:population-registry'], ['evidence_reference', 'text', () => 'article-scenario'],
    ['claimed_category', 'text', (f) => f.category], ['category_status', 'text', () => 'VERIFIED'],
  ], (n, total) => progress(`guardianships ${n}/${total}`));
  // Decided claims are never sent to the registry; NONE is no declared category at all.
  await trx.raw(`update guardianship set registry_due_at = null,
                   claimed_category = nullif(claimed_category, 'NONE'), category_status = case when claimed_category = 'NONE' then null else category_status end
                 where evidence_reference = 'article-scenario' and registry_due_at is not null`);
}

async function insertApplications(trx: Knex.Transaction, families: Family[], city: City, progress: Progress): Promise<void> {
  // In submission order, so submission_seq (taken at insert) follows submitted_at as it does live.
  const bySubmission = [...families].sort((a, b) => (a.submittedAt < b.submittedAt ? -1 : a.submittedAt > b.submittedAt ? 1 : 0));
  await insertRows(trx, 'application', bySubmission, [
    ['id', 'uuid', (f) => f.applicationId], ['child_id', 'uuid', (f) => f.child.id], ['applicant_id', 'uuid', (f) => f.parent.id],
    ['city_id', 'uuid', () => city.id], ['voucher_type', 'text', (f) => f.type], ['status', 'text', (f) => (f.placement ? 'ACCEPTED' : 'QUEUED')],
    ['priority_category', 'text', (f) => f.category], ['priority_rank', 'smallint', (f) => f.rank], ['submitted_at', 'timestamptz', (f) => f.submittedAt],
    ['rules_version', 'int', () => RULES_VERSION], ['updated_at', 'timestamptz', (f) => f.placement?.decidedAt ?? f.submittedAt],
  ], (n, total) => progress(`applications ${n}/${total}`));
}

/**
 * One quota per type for the period, exactly used up (count = used), so no further offers can be
 * made and the queue stays at the article's figure. A quota an operator already set keeps a higher cap.
 */
async function upsertQuotas(trx: Knex.Transaction, families: Family[], city: City): Promise<Map<VoucherType, string>> {
  const used = (type: VoucherType) => families.filter((f) => f.placement && f.type === type).length;
  const types = [VoucherType.TARGETED, VoucherType.UNIVERSAL];
  const { rows } = await trx.raw(
    `insert into quota (id, city_id, voucher_type, period, count, used)
     select id, ?::uuid, type, ?, n, n from unnest(?::uuid[], ?::text[], ?::int[]) as q(id, type, n)
     on conflict (city_id, voucher_type, period) do update set used = excluded.used, count = greatest(quota.count, excluded.count), updated_at = now()
     returning id, voucher_type`,
    [city.id, QUOTA_PERIOD, types.map(() => uuidv7()), types, types.map(used)],
  );
  return new Map(rows.map((row: { id: string; voucher_type: VoucherType }) => [row.voucher_type, row.id]));
}

async function insertVouchers(trx: Knex.Transaction, families: Family[], city: City, progress: Progress): Promise<void> {
  const quotas = await upsertQuotas(trx, families, city);
  const placed = families.filter((f): f is Family & { placement: Placement } => f.placement !== undefined);
  await insertRows(trx, 'voucher', placed, [
    ['id', 'uuid', (f) => f.placement.voucherId], ['child_id', 'uuid', (f) => f.child.id], ['application_id', 'uuid', (f) => f.applicationId],
    ['city_id', 'uuid', () => city.id], ['quota_id', 'uuid', (f) => quotas.get(f.type)!], ['type', 'text', (f) => f.type],
    ['status', 'text', () => 'ACTIVE'], ['created_at', 'timestamptz', (f) => f.placement.offeredAt], ['updated_at', 'timestamptz', (f) => f.placement.decidedAt],
  ], (n, total) => progress(`vouchers ${n}/${total}`));
  await insertRows(trx, 'offer', placed, [
    ['id', 'uuid', (f) => f.placement.offerId], ['application_id', 'uuid', (f) => f.applicationId], ['voucher_id', 'uuid', (f) => f.placement.voucherId],
    ['status', 'text', () => 'ACCEPTED'], ['deadline', 'timestamptz', (f) => f.placement.deadline], ['rules_version', 'int', () => RULES_VERSION],
    ['created_at', 'timestamptz', (f) => f.placement.offeredAt], ['decided_at', 'timestamptz', (f) => f.placement.decidedAt],
  ], (n, total) => progress(`offers ${n}/${total}`));
  await insertRows(trx, 'enrollment', placed, [
    ['id', 'uuid', (f) => f.placement.enrollmentId], ['voucher_id', 'uuid', (f) => f.placement.voucherId],
    ['program_id', 'uuid', (f) => f.placement.programId], ['status', 'text', () => 'ACTIVE'], ['started_at', 'timestamptz', (f) => f.placement.decidedAt],
  ], (n, total) => progress(`enrollments ${n}/${total}`));
}

/** Counts what the API will report, from the database; a mismatch rolls everything back. */
async function countOutcome(trx: Knex.Transaction, city: City): Promise<Omit<ArticleScenarioResult, 'ms'>> {
  const { rows } = await trx.raw(
    `select (select count(*) from voucher where city_id = ? and status = 'ACTIVE' and type = 'TARGETED')::int as targeted,
            (select count(*) from voucher where city_id = ? and status = 'ACTIVE' and type = 'UNIVERSAL')::int as universal,
            (select count(*) from application where city_id = ? and status = 'QUEUED')::int as waiting`,
    [city.id, city.id, city.id],
  );
  const outcome = { city: city.code, vouchers: { TARGETED: rows[0].targeted, UNIVERSAL: rows[0].universal }, waiting: rows[0].waiting };
  const expected = { TARGETED: ARTICLE_FIGURES.targetedVouchers, UNIVERSAL: ARTICLE_FIGURES.universalVouchers };
  if (outcome.vouchers.TARGETED !== expected.TARGETED || outcome.vouchers.UNIVERSAL !== expected.UNIVERSAL || outcome.waiting !== ARTICLE_FIGURES.waitingChildren) {
    throw new Error(`The article scenario came out wrong in ${city.code}: ${JSON.stringify(outcome)}; nothing was written.`);
  }
  return outcome;
}

/**
 * Builds the article's situation in one city that has no applications or vouchers yet: its own
 * approved providers and programs, 40,174 families holding ACTIVE vouchers in programs their type
 * allows, and 12,454 children QUEUED. Refuses a city already in use, writing nothing.
 */
export async function seedArticleScenario(orm: Orm, options: { city: string; progress?: Progress }): Promise<ArticleScenarioResult> {
  const started = performance.now();
  const progress = options.progress ?? (() => {});
  const knex = orm.em.fork().getConnection().getKnex();
  const outcome = await knex.transaction(async (trx) => {
    const city = await lockEmptyCity(trx, options.city);
    const plan = buildPlan(city, await readRules(trx, city));
    progress(`planned ${plan.providers.length} providers, ${plan.programs.length} programs, ${plan.families.length} families in ${city.code}`);
    await assignIds(trx, plan, city);
    await insertCatalogue(trx, plan, city, progress);
    await insertFamilies(trx, plan.families, progress);
    await insertApplications(trx, plan.families, city, progress);
    await insertVouchers(trx, plan.families, city, progress);
    // Fresh statistics, so the first queue and catalogue queries after the seed get sensible plans
    // instead of ones made for near-empty tables.
    await trx.raw(`analyze provider, program, applicant, child, guardianship, application, quota, voucher, offer, enrollment`);
    progress('statistics updated');
    return countOutcome(trx, city);
  });
  return { ...outcome, ms: Math.round(performance.now() - started) };
}
