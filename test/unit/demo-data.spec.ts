import { describe, expect, it } from 'vitest';
import { Direction, ProviderKind, ProviderStatus, TeachingLanguage } from '../../src/domain/enums.js';
import { validateBin } from '../../src/domain/kazakh-ids.js';
import { buildDemoCatalogue, type DemoProvider } from '../../src/seed/demo-data.js';

const CITY_CODES = ['ASTANA', 'SHYMKENT', 'ATYRAU', 'AKTOBE', 'KYZYLORDA', 'KARAGANDA'];
const KAZAKH_LETTERS = /[әғқңөұүһіӘҒҚҢӨҰҮҺІ]/;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

const catalogue = buildDemoCatalogue();
const programs = catalogue.flatMap((p) => p.programs);

function inCity(code: string): DemoProvider[] {
  return catalogue.filter((p) => p.city === code);
}

function minutes(hhmm: string): number {
  const [h = 0, m = 0] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

describe('buildDemoCatalogue', () => {
  it('is deterministic', () => {
    expect(buildDemoCatalogue()).toEqual(catalogue);
  });

  it('has the expected size', () => {
    expect(catalogue).toHaveLength(44);
    expect(programs).toHaveLength(147);
    const perCity = Object.fromEntries(CITY_CODES.map((code) => [code, inCity(code).length]));
    expect(perCity).toEqual({ ASTANA: 8, SHYMKENT: 8, ATYRAU: 7, AKTOBE: 7, KYZYLORDA: 6, KARAGANDA: 8 });
  });

  it('covers exactly the six pilot cities', () => {
    expect(new Set(catalogue.map((p) => p.city))).toEqual(new Set(CITY_CODES));
  });

  it('gives every provider a valid, unique BIN of a legal entity head office', () => {
    for (const { bin } of catalogue) {
      expect(validateBin(bin), bin).toEqual({ ok: true });
      expect(bin.slice(4, 6), bin).toBe('40');
    }
    expect(new Set(catalogue.map((p) => p.bin)).size).toBe(catalogue.length);
  });

  it('gives every provider a name and 2–5 programs', () => {
    for (const provider of catalogue) {
      expect(provider.name.trim().length, provider.bin).toBeGreaterThan(3);
      expect(provider.programs.length, provider.name).toBeGreaterThanOrEqual(2);
      expect(provider.programs.length, provider.name).toBeLessThanOrEqual(5);
    }
  });

  it('has all provider kinds and exactly one PENDING provider per city', () => {
    for (const code of CITY_CODES) {
      const providers = inCity(code);
      expect(new Set(providers.map((p) => p.kind)), code).toEqual(new Set(Object.values(ProviderKind)));
      expect(providers.filter((p) => p.status === ProviderStatus.PENDING), code).toHaveLength(1);
      expect(providers.filter((p) => p.status === ProviderStatus.APPROVED).length, code).toBeGreaterThanOrEqual(5);
    }
    expect(catalogue.filter((p) => p.status === ProviderStatus.SUSPENDED)).toHaveLength(0);
  });

  it('offers every direction in every city, also among approved providers', () => {
    for (const code of CITY_CODES) {
      const approved = inCity(code).filter((p) => p.status === ProviderStatus.APPROVED);
      const directions = new Set(approved.flatMap((p) => p.programs.map((pr) => pr.direction)));
      expect(directions, code).toEqual(new Set(Object.values(Direction)));
    }
  });

  it('keeps ages within 5–18 and seats within 10–40', () => {
    for (const program of programs) {
      expect(program.minAge, program.title.en).toBeGreaterThanOrEqual(5);
      expect(program.maxAge, program.title.en).toBeLessThanOrEqual(18);
      expect(program.minAge, program.title.en).toBeLessThanOrEqual(program.maxAge);
      expect(program.seats, program.title.en).toBeGreaterThanOrEqual(10);
      expect(program.seats, program.title.en).toBeLessThanOrEqual(40);
    }
  });

  it('schedules 2–3 afternoon slots a week on distinct weekdays', () => {
    for (const { schedule, title } of programs) {
      expect(schedule.length, title.en).toBeGreaterThanOrEqual(2);
      expect(schedule.length, title.en).toBeLessThanOrEqual(3);
      expect(new Set(schedule.map((s) => s.weekday)).size, title.en).toBe(schedule.length);
      for (const slot of schedule) {
        expect(Number.isInteger(slot.weekday) && slot.weekday >= 1 && slot.weekday <= 7, title.en).toBe(true);
        expect(slot.startsAt, title.en).toMatch(HHMM);
        expect(slot.endsAt, title.en).toMatch(HHMM);
        expect(minutes(slot.startsAt), title.en).toBeGreaterThanOrEqual(minutes('13:00'));
        expect(minutes(slot.endsAt), title.en).toBeGreaterThan(minutes(slot.startsAt));
        expect(minutes(slot.endsAt), title.en).toBeLessThanOrEqual(minutes('20:00'));
      }
    }
  });

  it('titles every program in Kazakh, Russian and English', () => {
    for (const { title } of programs) {
      expect(title.kk && title.ru && title.en, JSON.stringify(title)).toBeTruthy();
      expect(KAZAKH_LETTERS.test(title.kk) || title.kk !== title.ru, title.kk).toBe(true);
    }
    // Most Kazakh titles should actually use Kazakh-specific letters, not just differ.
    expect(programs.filter((p) => KAZAKH_LETTERS.test(p.title.kk)).length).toBeGreaterThan(programs.length / 2);
  });

  it('uses every teaching language', () => {
    expect(new Set(programs.map((p) => p.language))).toEqual(new Set(Object.values(TeachingLanguage)));
  });

  it('starts with the Astana school-gymnasium as its first provider', () => {
    const first = catalogue[0];
    expect(first).toMatchObject({
      bin: '980140100170',
      name: '№ 45 мектеп-гимназиясы',
      kind: ProviderKind.SCHOOL,
      city: 'ASTANA',
      status: ProviderStatus.APPROVED,
    });
    expect(first?.programs[0]).toEqual({
      title: { kk: 'Математикадан олимпиадалық дайындық', ru: 'Олимпиадная математика', en: 'Olympiad Mathematics' },
      direction: Direction.EDUCATIONAL,
      minAge: 10,
      maxAge: 16,
      seats: 15,
      schedule: [
        { weekday: 1, startsAt: '14:00', endsAt: '15:30' },
        { weekday: 3, startsAt: '14:00', endsAt: '15:30' },
      ],
      language: TeachingLanguage.KK,
    });
  });
});
