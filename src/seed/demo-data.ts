// A realistic demo catalogue for the six pilot cities: providers of every kind, each running a few
// clubs, with one provider per city still PENDING so the demo shows what the public catalogue hides.
// The builder is pure and deterministic, so tests and repeated seeds always see the same data.

import { type EntityManager, ref } from '@mikro-orm/postgresql';
import { Direction, ProgramStatus, ProviderKind, ProviderStatus, TeachingLanguage } from '../domain/enums.js';
import { toWeekly } from '../domain/schedule.js';
import { withCheckDigit } from '../domain/kazakh-ids.js';
import { City, LocalizedText, Program, Provider } from '../entities/index.js';
import type { ProgramDescription, ScheduleSlot } from '../entities/program.entity.js';

export type DemoProgram = ProgramDescription<{ kk: string; ru: string; en: string }>;

export interface DemoProvider {
  bin: string;
  name: string;
  kind: ProviderKind;
  city: string; // city code
  status: ProviderStatus;
  programs: DemoProgram[];
}

/** When the demo providers count as approved; fixed so seeded data does not depend on the clock. */
export const DEMO_APPROVED_AT = new Date('2026-06-01T00:00:00Z');

// ---------------------------------------------------------------------------------------------
// Club templates: the same kinds of club recur across cities, as they do in real catalogues.

interface ProgramTemplate {
  kk: string;
  ru: string;
  en: string;
  direction: Direction;
  minAge: number;
  maxAge: number;
  seats: number;
  minutes: number;
  sessions: 2 | 3;
  /** Overrides the provider's language, e.g. English clubs are taught in English. */
  language?: TeachingLanguage;
}

const { EDUCATIONAL, CREATIVE, SPORTS } = Direction;

const CLUBS = {
  // Educational
  robotics: { kk: 'Робототехника және LEGO құрастыру', ru: 'Робототехника и LEGO-конструирование', en: 'Robotics and LEGO Engineering', direction: EDUCATIONAL, minAge: 7, maxAge: 12, seats: 12, minutes: 90, sessions: 2 },
  python: { kk: 'Python тілінде бағдарламалау', ru: 'Программирование на Python', en: 'Python Programming', direction: EDUCATIONAL, minAge: 12, maxAge: 17, seats: 14, minutes: 90, sessions: 2 },
  scratch: { kk: 'Scratch ортасында ойын жасау', ru: 'Создание игр в Scratch', en: 'Game Making in Scratch', direction: EDUCATIONAL, minAge: 8, maxAge: 11, seats: 12, minutes: 60, sessions: 2 },
  modelling3d: { kk: '3D модельдеу және басып шығару', ru: '3D-моделирование и печать', en: '3D Modelling and Printing', direction: EDUCATIONAL, minAge: 10, maxAge: 16, seats: 12, minutes: 90, sessions: 2 },
  chess: { kk: 'Шахмат үйірмесі', ru: 'Шахматный кружок', en: 'Chess Club', direction: EDUCATIONAL, minAge: 6, maxAge: 16, seats: 16, minutes: 60, sessions: 3 },
  togyzkumalak: { kk: 'Тоғызқұмалақ', ru: 'Тогыз кумалак', en: 'Togyz Kumalak', direction: EDUCATIONAL, minAge: 7, maxAge: 16, seats: 16, minutes: 60, sessions: 2, language: TeachingLanguage.KK },
  mentalMath: { kk: 'Ментальды арифметика', ru: 'Ментальная арифметика', en: 'Mental Arithmetic', direction: EDUCATIONAL, minAge: 6, maxAge: 10, seats: 12, minutes: 60, sessions: 2 },
  olympiadMath: { kk: 'Математикадан олимпиадалық дайындық', ru: 'Олимпиадная математика', en: 'Olympiad Mathematics', direction: EDUCATIONAL, minAge: 10, maxAge: 16, seats: 15, minutes: 90, sessions: 2 },
  funPhysics: { kk: 'Қызықты физика', ru: 'Занимательная физика', en: 'Fun Physics', direction: EDUCATIONAL, minAge: 11, maxAge: 15, seats: 15, minutes: 60, sessions: 2 },
  ecologist: { kk: 'Жас эколог', ru: 'Юный эколог', en: 'Young Ecologist', direction: EDUCATIONAL, minAge: 8, maxAge: 13, seats: 18, minutes: 60, sessions: 2 },
  localHistory: { kk: 'Өлкетану', ru: 'Краеведение', en: 'Local History', direction: EDUCATIONAL, minAge: 10, maxAge: 15, seats: 20, minutes: 60, sessions: 2 },
  journalist: { kk: 'Жас журналист', ru: 'Юный журналист', en: 'Young Journalist', direction: EDUCATIONAL, minAge: 12, maxAge: 17, seats: 15, minutes: 90, sessions: 2 },
  debate: { kk: 'Дебат клубы', ru: 'Дебатный клуб', en: 'Debate Club', direction: EDUCATIONAL, minAge: 13, maxAge: 17, seats: 16, minutes: 90, sessions: 2 },
  speedReading: { kk: 'Жылдам оқу', ru: 'Скорочтение', en: 'Speed Reading', direction: EDUCATIONAL, minAge: 7, maxAge: 12, seats: 12, minutes: 60, sessions: 2 },
  kazakhTalk: { kk: 'Қазақ тілі: сөйлесу практикасы', ru: 'Казахский язык: разговорная практика', en: 'Kazakh Conversation Practice', direction: EDUCATIONAL, minAge: 7, maxAge: 12, seats: 15, minutes: 60, sessions: 2, language: TeachingLanguage.KK },
  englishKids: { kk: 'Кішкентайларға арналған ағылшын тілі', ru: 'Английский для малышей', en: 'English for Young Learners', direction: EDUCATIONAL, minAge: 6, maxAge: 9, seats: 10, minutes: 45, sessions: 3, language: TeachingLanguage.EN },
  englishTalk: { kk: 'Ағылшын тілі: сөйлесу клубы', ru: 'Английский язык: разговорный клуб', en: 'English Speaking Club', direction: EDUCATIONAL, minAge: 10, maxAge: 16, seats: 12, minutes: 60, sessions: 2, language: TeachingLanguage.EN },
  // Creative
  dombra: { kk: 'Домбыра сыныбы', ru: 'Класс домбры', en: 'Dombra Class', direction: CREATIVE, minAge: 7, maxAge: 16, seats: 12, minutes: 45, sessions: 2 },
  kobyz: { kk: 'Қобыз сыныбы', ru: 'Класс кобыза', en: 'Kobyz Class', direction: CREATIVE, minAge: 8, maxAge: 16, seats: 10, minutes: 45, sessions: 2, language: TeachingLanguage.KK },
  piano: { kk: 'Фортепиано сыныбы', ru: 'Класс фортепиано', en: 'Piano Class', direction: CREATIVE, minAge: 6, maxAge: 16, seats: 10, minutes: 45, sessions: 2 },
  guitar: { kk: 'Гитара сыныбы', ru: 'Класс гитары', en: 'Guitar Class', direction: CREATIVE, minAge: 10, maxAge: 17, seats: 10, minutes: 60, sessions: 2 },
  vocal: { kk: 'Эстрадалық вокал', ru: 'Эстрадный вокал', en: 'Pop Vocals', direction: CREATIVE, minAge: 8, maxAge: 17, seats: 14, minutes: 60, sessions: 2 },
  choir: { kk: 'Балалар хоры', ru: 'Детский хор', en: "Children's Choir", direction: CREATIVE, minAge: 7, maxAge: 14, seats: 30, minutes: 60, sessions: 2 },
  folkDance: { kk: 'Қазақ халық биі', ru: 'Казахский народный танец', en: 'Kazakh Folk Dance', direction: CREATIVE, minAge: 6, maxAge: 15, seats: 20, minutes: 60, sessions: 3 },
  modernDance: { kk: 'Заманауи би (хип-хоп)', ru: 'Современный танец (хип-хоп)', en: 'Modern Dance (Hip-Hop)', direction: CREATIVE, minAge: 8, maxAge: 16, seats: 20, minutes: 60, sessions: 3 },
  ballroom: { kk: 'Спорттық бал билері', ru: 'Спортивные бальные танцы', en: 'Ballroom Dance', direction: CREATIVE, minAge: 6, maxAge: 14, seats: 16, minutes: 90, sessions: 3 },
  fineArt: { kk: 'Бейнелеу өнері', ru: 'Изобразительное искусство', en: 'Fine Art', direction: CREATIVE, minAge: 7, maxAge: 14, seats: 15, minutes: 90, sessions: 2 },
  ceramics: { kk: 'Керамика шеберханасы', ru: 'Керамическая мастерская', en: 'Ceramics Workshop', direction: CREATIVE, minAge: 8, maxAge: 15, seats: 12, minutes: 90, sessions: 2 },
  feltOrnament: { kk: 'Киіз басу және ою-өрнек', ru: 'Войлоковаляние и казахский орнамент', en: 'Felt Making and Kazakh Ornament', direction: CREATIVE, minAge: 9, maxAge: 16, seats: 12, minutes: 90, sessions: 2 },
  appliedArt: { kk: 'Сәндік-қолданбалы өнер', ru: 'Декоративно-прикладное искусство', en: 'Decorative and Applied Art', direction: CREATIVE, minAge: 7, maxAge: 13, seats: 15, minutes: 60, sessions: 2 },
  theatre: { kk: 'Театр студиясы', ru: 'Театральная студия', en: 'Theatre Studio', direction: CREATIVE, minAge: 9, maxAge: 17, seats: 18, minutes: 90, sessions: 2 },
  photoVideo: { kk: 'Фото және бейне түсіру', ru: 'Фото- и видеосъёмка', en: 'Photo and Video', direction: CREATIVE, minAge: 12, maxAge: 17, seats: 12, minutes: 90, sessions: 2 },
  animation: { kk: 'Мультипликация студиясы', ru: 'Студия мультипликации', en: 'Animation Studio', direction: CREATIVE, minAge: 8, maxAge: 13, seats: 12, minutes: 60, sessions: 2 },
  // Sports
  football: { kk: 'Футбол секциясы', ru: 'Секция футбола', en: 'Football', direction: SPORTS, minAge: 7, maxAge: 14, seats: 24, minutes: 90, sessions: 3 },
  volleyball: { kk: 'Волейбол секциясы', ru: 'Секция волейбола', en: 'Volleyball', direction: SPORTS, minAge: 10, maxAge: 17, seats: 20, minutes: 90, sessions: 2 },
  basketball: { kk: 'Баскетбол секциясы', ru: 'Секция баскетбола', en: 'Basketball', direction: SPORTS, minAge: 9, maxAge: 16, seats: 20, minutes: 90, sessions: 2 },
  swimming: { kk: 'Жүзу', ru: 'Плавание', en: 'Swimming', direction: SPORTS, minAge: 6, maxAge: 14, seats: 16, minutes: 45, sessions: 3 },
  kuresi: { kk: 'Қазақ күресі', ru: 'Казахша курес', en: 'Kazakh Wrestling (Kuresi)', direction: SPORTS, minAge: 10, maxAge: 17, seats: 20, minutes: 90, sessions: 3 },
  freestyle: { kk: 'Еркін күрес', ru: 'Вольная борьба', en: 'Freestyle Wrestling', direction: SPORTS, minAge: 8, maxAge: 17, seats: 20, minutes: 90, sessions: 3 },
  boxing: { kk: 'Бокс секциясы', ru: 'Секция бокса', en: 'Boxing', direction: SPORTS, minAge: 10, maxAge: 17, seats: 18, minutes: 90, sessions: 3 },
  judo: { kk: 'Дзюдо секциясы', ru: 'Секция дзюдо', en: 'Judo', direction: SPORTS, minAge: 7, maxAge: 15, seats: 20, minutes: 90, sessions: 3 },
  taekwondo: { kk: 'Таэквондо секциясы', ru: 'Секция таэквондо', en: 'Taekwondo', direction: SPORTS, minAge: 6, maxAge: 14, seats: 20, minutes: 60, sessions: 3 },
  gymnastics: { kk: 'Көркем гимнастика', ru: 'Художественная гимнастика', en: 'Rhythmic Gymnastics', direction: SPORTS, minAge: 5, maxAge: 12, seats: 14, minutes: 90, sessions: 3 },
  athletics: { kk: 'Жеңіл атлетика', ru: 'Лёгкая атлетика', en: 'Athletics', direction: SPORTS, minAge: 9, maxAge: 17, seats: 25, minutes: 90, sessions: 3 },
  tableTennis: { kk: 'Үстел теннисі', ru: 'Настольный теннис', en: 'Table Tennis', direction: SPORTS, minAge: 8, maxAge: 16, seats: 14, minutes: 60, sessions: 2 },
  asykAtu: { kk: 'Асық ату', ru: 'Асык ату', en: 'Asyk Atu (Knucklebones)', direction: SPORTS, minAge: 7, maxAge: 14, seats: 16, minutes: 60, sessions: 2, language: TeachingLanguage.KK },
  archery: { kk: 'Садақ ату', ru: 'Стрельба из лука', en: 'Archery', direction: SPORTS, minAge: 10, maxAge: 17, seats: 12, minutes: 90, sessions: 2 },
  hockey: { kk: 'Хоккей секциясы', ru: 'Секция хоккея', en: 'Ice Hockey', direction: SPORTS, minAge: 7, maxAge: 14, seats: 22, minutes: 90, sessions: 3 },
  fitness: { kk: 'Жалпы дене дайындығы', ru: 'Общая физическая подготовка', en: 'General Fitness', direction: SPORTS, minAge: 6, maxAge: 10, seats: 20, minutes: 60, sessions: 2 },
} satisfies Record<string, ProgramTemplate>;

type ClubKey = keyof typeof CLUBS;

// ---------------------------------------------------------------------------------------------
// Providers per city. Exactly one PENDING provider per city: usually a newly registered private one.

interface ProviderSpec {
  name: string;
  kind: ProviderKind;
  language: TeachingLanguage;
  clubs: ClubKey[];
  pending?: true;
}

const { SCHOOL, STATE_INSTITUTION: STATE, PRIVATE } = ProviderKind;
const { KK, RU, KK_RU, EN } = TeachingLanguage;

const CITIES: Record<string, ProviderSpec[]> = {
  ASTANA: [
    { name: '№ 45 мектеп-гимназиясы', kind: SCHOOL, language: KK, clubs: ['olympiadMath', 'journalist', 'dombra', 'volleyball'] },
    { name: 'Школа-лицей № 62', kind: SCHOOL, language: RU, clubs: ['robotics', 'chess', 'choir', 'basketball'] },
    { name: 'Дворец школьников г. Астаны', kind: STATE, language: KK_RU, clubs: ['robotics', 'modelling3d', 'theatre', 'folkDance', 'vocal'] },
    { name: 'Детская музыкальная школа № 1 г. Астаны', kind: STATE, language: KK_RU, clubs: ['piano', 'dombra', 'choir'] },
    { name: 'Детско-юношеская спортивная школа № 3 г. Астаны', kind: STATE, language: RU, clubs: ['swimming', 'judo', 'athletics'] },
    { name: 'Студия робототехники «RoboLand»', kind: PRIVATE, language: RU, clubs: ['robotics', 'scratch', 'python'] },
    { name: 'Языковой центр «Lingua Kids»', kind: PRIVATE, language: EN, clubs: ['englishKids', 'englishTalk', 'debate'] },
    { name: 'Шахматный клуб «Ладья»', kind: PRIVATE, language: RU, clubs: ['chess', 'mentalMath'], pending: true },
  ],
  SHYMKENT: [
    { name: '№ 12 мектеп-лицейі', kind: SCHOOL, language: KK, clubs: ['olympiadMath', 'localHistory', 'folkDance', 'football'] },
    { name: 'Школа-гимназия № 8', kind: SCHOOL, language: RU, clubs: ['robotics', 'choir', 'volleyball'] },
    { name: 'Шымкент қалалық оқушылар сарайы', kind: STATE, language: KK_RU, clubs: ['ecologist', 'ceramics', 'theatre', 'vocal', 'tableTennis'] },
    { name: '№ 2 балалар музыка мектебі', kind: STATE, language: KK, clubs: ['dombra', 'kobyz', 'piano'] },
    { name: '№ 1 балалар мен жасөспірімдер спорт мектебі', kind: STATE, language: KK, clubs: ['kuresi', 'freestyle', 'boxing', 'athletics'] },
    { name: 'Футбольная академия «Жас Тұлпар»', kind: PRIVATE, language: KK_RU, clubs: ['football', 'fitness'] },
    { name: 'Студия танца «Шабыт»', kind: PRIVATE, language: KK_RU, clubs: ['modernDance', 'folkDance', 'ballroom'] },
    { name: 'IT-школа «CodeKids»', kind: PRIVATE, language: RU, clubs: ['scratch', 'python', 'modelling3d'], pending: true },
  ],
  ATYRAU: [
    { name: '№ 30 мектеп-гимназиясы', kind: SCHOOL, language: KK, clubs: ['kazakhTalk', 'olympiadMath', 'dombra', 'volleyball'] },
    { name: 'Школа-лицей № 17', kind: SCHOOL, language: RU, clubs: ['funPhysics', 'chess', 'basketball'] },
    { name: 'Атырау облыстық оқушылар сарайы', kind: STATE, language: KK_RU, clubs: ['robotics', 'feltOrnament', 'theatre', 'vocal'] },
    { name: 'Детская школа искусств № 1 г. Атырау', kind: STATE, language: RU, clubs: ['fineArt', 'piano', 'folkDance', 'guitar'] },
    { name: 'Детско-юношеская спортивная школа № 2 г. Атырау', kind: STATE, language: RU, clubs: ['swimming', 'judo', 'tableTennis'] },
    { name: 'Языковой центр «Caspian English»', kind: PRIVATE, language: EN, clubs: ['englishKids', 'englishTalk', 'debate'] },
    { name: 'Шахматная школа «Гроссмейстер»', kind: PRIVATE, language: RU, clubs: ['chess', 'togyzkumalak'], pending: true },
  ],
  AKTOBE: [
    { name: '№ 21 мектеп-гимназиясы', kind: SCHOOL, language: KK, clubs: ['journalist', 'folkDance', 'asykAtu'] },
    { name: 'Школа-гимназия № 22', kind: SCHOOL, language: RU, clubs: ['olympiadMath', 'modelling3d', 'basketball'] },
    { name: 'Ақтөбе облыстық оқушылар сарайы', kind: STATE, language: KK_RU, clubs: ['robotics', 'localHistory', 'ceramics', 'vocal'] },
    { name: 'Детская музыкальная школа № 3 г. Актобе', kind: STATE, language: KK_RU, clubs: ['piano', 'dombra', 'guitar'] },
    { name: '№ 2 балалар мен жасөспірімдер спорт мектебі', kind: STATE, language: KK, clubs: ['kuresi', 'freestyle', 'boxing', 'athletics'] },
    { name: 'Танцевальная студия «Жұлдыз»', kind: PRIVATE, language: KK_RU, clubs: ['modernDance', 'ballroom', 'gymnastics'] },
    { name: 'Языковой центр «Smart English»', kind: PRIVATE, language: EN, clubs: ['englishKids', 'englishTalk'], pending: true },
  ],
  KYZYLORDA: [
    { name: '№ 7 мектеп-лицейі', kind: SCHOOL, language: KK, clubs: ['olympiadMath', 'ecologist', 'dombra', 'football'] },
    { name: 'Қызылорда облыстық оқушылар сарайы', kind: STATE, language: KK, clubs: ['robotics', 'feltOrnament', 'theatre', 'folkDance', 'vocal'] },
    { name: '№ 1 балалар өнер мектебі', kind: STATE, language: KK, clubs: ['kobyz', 'fineArt', 'choir'] },
    { name: 'Қызылорда қалалық балалар мен жасөспірімдер спорт мектебі', kind: STATE, language: KK, clubs: ['kuresi', 'boxing', 'volleyball', 'archery'] },
    { name: '«Зерек» шахмат клубы', kind: PRIVATE, language: KK_RU, clubs: ['chess', 'togyzkumalak', 'mentalMath'] },
    { name: '«Ақылды бала» оқу орталығы', kind: PRIVATE, language: KK_RU, clubs: ['englishKids', 'speedReading', 'scratch'], pending: true },
  ],
  KARAGANDA: [
    { name: 'Школа-гимназия № 38', kind: SCHOOL, language: RU, clubs: ['ecologist', 'choir', 'basketball'] },
    { name: '№ 9 мектеп-гимназиясы', kind: SCHOOL, language: KK, clubs: ['olympiadMath', 'folkDance', 'volleyball'] },
    { name: 'Карагандинский областной дворец школьников', kind: STATE, language: KK_RU, clubs: ['robotics', 'modelling3d', 'animation', 'theatre', 'photoVideo'] },
    { name: 'Детская музыкальная школа № 1 г. Караганды', kind: STATE, language: RU, clubs: ['piano', 'guitar', 'dombra', 'vocal'] },
    { name: 'Детско-юношеская спортивная школа по хоккею', kind: STATE, language: RU, clubs: ['hockey', 'fitness'] },
    { name: 'Детско-юношеская спортивная школа № 5 г. Караганды', kind: STATE, language: RU, clubs: ['judo', 'taekwondo', 'swimming', 'athletics'] },
    { name: 'Шахматный клуб «Белая ладья»', kind: PRIVATE, language: RU, clubs: ['chess', 'mentalMath'] },
    { name: 'Студия танца «Grand Dance»', kind: PRIVATE, language: KK_RU, clubs: ['modernDance', 'ballroom', 'gymnastics'], pending: true },
  ],
};

/** The pilot city codes, in the order the demo builds them. */
export const DEMO_CITY_CODES = Object.keys(CITIES);

// ---------------------------------------------------------------------------------------------
// Deterministic variation: everything derives from a provider's and a club's position.

// Schools run clubs right after lessons; state centres and private studios a little later.
const START_TIMES: Record<ProviderKind, string[]> = {
  [ProviderKind.SCHOOL]: ['14:00', '14:30', '15:00', '15:30'],
  [ProviderKind.STATE_INSTITUTION]: ['15:00', '15:30', '16:00', '16:30', '17:00'],
  [ProviderKind.PRIVATE]: ['16:00', '16:30', '17:00', '17:30', '18:00'],
};

const TWO_DAY_PATTERNS = [[1, 3], [2, 4], [3, 5], [2, 5], [1, 4], [4, 6]];
const THREE_DAY_PATTERNS = [[1, 3, 5], [2, 4, 6], [1, 3, 6]];
const SEAT_OFFSETS = [0, 2, -2, 4, 0, -1];

function pick<T>(items: readonly T[], index: number): T {
  const item = items[index % items.length];
  if (item === undefined) throw new Error('pick() needs a non-empty list');
  return item;
}

function addMinutes(hhmm: string, minutes: number): string {
  const [h = 0, m = 0] = hhmm.split(':').map(Number);
  const total = h * 60 + m + minutes;
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

function buildSchedule(club: ProgramTemplate, kind: ProviderKind, seed: number): ScheduleSlot[] {
  const days = club.sessions === 3 ? pick(THREE_DAY_PATTERNS, seed) : pick(TWO_DAY_PATTERNS, seed);
  const startsAt = pick(START_TIMES[kind], seed);
  return days.map((weekday) => ({ weekday, startsAt, endsAt: addMinutes(startsAt, club.minutes) }));
}

function buildProgram(key: ClubKey, spec: ProviderSpec, seed: number): DemoProgram {
  const club: ProgramTemplate = CLUBS[key];
  return {
    title: { kk: club.kk, ru: club.ru, en: club.en },
    direction: club.direction,
    minAge: club.minAge,
    maxAge: club.maxAge,
    seats: Math.min(40, Math.max(10, club.seats + pick(SEAT_OFFSETS, seed))),
    schedule: buildSchedule(club, spec.kind, seed),
    language: club.language ?? spec.language,
  };
}

/**
 * BIN of the n-th demo provider: a registration YYMM spread over 1998–2024, entity type 4 (legal
 * entity), attribute 0 (head office), a serial and the check digit. Serials only grow, so BINs are
 * unique; serials with no valid check digit are skipped.
 */
function nextBin(n: number, serial: number): { bin: string; serial: number } {
  const yy = String((1998 + ((n * 7) % 27)) % 100).padStart(2, '0');
  const mm = String(((n * 5) % 12) + 1).padStart(2, '0');
  for (let s = serial; s <= 99999; s++) {
    const bin = withCheckDigit(`${yy}${mm}40${String(s).padStart(5, '0')}`);
    if (bin) return { bin, serial: s };
  }
  throw new Error('Ran out of demo BIN serials');
}

const FIRST_SERIAL = 10017;
const SERIAL_STEP = 173;

export function buildDemoCatalogue(): DemoProvider[] {
  const providers: DemoProvider[] = [];
  let serial = FIRST_SERIAL;
  for (const [city, specs] of Object.entries(CITIES)) {
    for (const spec of specs) {
      const n = providers.length;
      const next = nextBin(n, serial);
      serial = next.serial + SERIAL_STEP;
      providers.push({
        bin: next.bin,
        name: spec.name,
        kind: spec.kind,
        city,
        status: spec.pending ? ProviderStatus.PENDING : ProviderStatus.APPROVED,
        programs: spec.clubs.map((key, i) => buildProgram(key, spec, n + i)),
      });
    }
  }
  return providers;
}

// ---------------------------------------------------------------------------------------------
// Persisting the catalogue.

function toProvider(demo: DemoProvider, city: City): Provider {
  const provider = new Provider(demo.bin, demo.name, demo.kind, ref(city));
  provider.status = demo.status;
  if (demo.status === ProviderStatus.APPROVED) provider.approvedAt = DEMO_APPROVED_AT;
  return provider;
}

function toProgram(demo: DemoProgram, provider: Provider): Program {
  const { title, ...fields } = demo;
  const program = new Program({ provider: ref(provider), title: new LocalizedText(title.kk, title.ru, title.en), ...fields, weeklySchedule: toWeekly(fields.schedule) });
  // The demo catalogue is the city's own: published as it is loaded.
  program.status = ProgramStatus.PUBLISHED;
  program.publishedAt = DEMO_APPROVED_AT;
  return program;
}

/**
 * Inserts the demo catalogue in one transaction. Idempotent: if any demo BIN is already taken the
 * catalogue (or part of it) is there, so nothing is written and zeros are returned. Cities come from
 * the migration and are never created here.
 */
export async function seedDemoCatalogue(em: EntityManager): Promise<{ providers: number; programs: number }> {
  const catalogue = buildDemoCatalogue();
  return em.transactional(async (tx) => {
    if (await tx.count(Provider, { bin: { $in: catalogue.map((p) => p.bin) } })) return { providers: 0, programs: 0 };
    const cities = new Map((await tx.find(City, {})).map((city) => [city.code, city]));
    let programs = 0;
    for (const demo of catalogue) {
      const city = cities.get(demo.city);
      if (!city) throw new Error(`City ${demo.city} is missing: run the migrations before seeding.`);
      const provider = toProvider(demo, city);
      tx.persist(provider);
      tx.persist(demo.programs.map((program) => toProgram(program, provider)));
      programs += demo.programs.length;
    }
    return { providers: catalogue.length, programs };
  });
}
