import { describe, expect, it } from 'vitest';
import { priorityRank } from '../../src/domain/priority.js';
import { PriorityCategory, ProviderKind, Sex, VoucherType } from '../../src/domain/enums.js';
import { parseIin, validateBin } from '../../src/domain/kazakh-ids.js';
import {
  IinSequence,
  allocateSeats,
  binsFrom,
  birthDateForAge,
  cityBand,
  evenlySpread,
  isoMicros,
  seededRandom,
  spreadInstants,
} from '../../src/seed/article-scenario.js';

describe('IinSequence', () => {
  it('hands out valid IINs that encode the birth date and sex asked for', () => {
    const sequence = new IinSequence({ first: 5000, last: 5832 });
    expect(parseIin(sequence.take('2016-05-20', Sex.FEMALE))).toEqual({ ok: true, facts: { birthDate: '2016-05-20', sex: Sex.FEMALE } });
    expect(parseIin(sequence.take('2009-12-31', Sex.MALE))).toEqual({ ok: true, facts: { birthDate: '2009-12-31', sex: Sex.MALE } });
    expect(parseIin(sequence.take('1984-02-29', Sex.FEMALE))).toEqual({ ok: true, facts: { birthDate: '1984-02-29', sex: Sex.FEMALE } });
  });

  it('never repeats an IIN, stays in its serial band and skips blocked ones', () => {
    const band = { first: 5000, last: 5832 };
    const first = new IinSequence(band).take('2015-03-14', Sex.MALE);
    const sequence = new IinSequence(band, new Set([first]));
    const iins = Array.from({ length: 500 }, () => sequence.take('2015-03-14', Sex.MALE));
    expect(new Set(iins).size).toBe(500);
    expect(iins).not.toContain(first);
    expect(iins.every((iin) => Number(iin.slice(7, 11)) >= 5000 && Number(iin.slice(7, 11)) <= 5832)).toBe(true);
  });

  it('says so when a date runs out of serials', () => {
    const sequence = new IinSequence({ first: 9998, last: 9999 });
    expect(() => Array.from({ length: 3 }, () => sequence.take('2012-01-01', Sex.MALE))).toThrow('No IIN serials left for 2012-01-01');
  });
});

describe('id bands', () => {
  it('gives each city its own slice', () => {
    expect(cityBand(0, 6, 5000, 9999)).toEqual({ first: 5000, last: 5832 });
    expect(cityBand(5, 6, 5000, 9999)).toEqual({ first: 9165, last: 9997 });
  });

  it('makes distinct, valid BINs of legal entities', () => {
    const bins = binsFrom({ first: 90_000, last: 91_665 }, 210);
    expect(new Set(bins).size).toBe(210);
    expect(bins.every((bin) => validateBin(bin).ok && bin[4] === '4')).toBe(true);
    expect(binsFrom({ first: 90_000, last: 91_665 }, 3, new Set([bins[0]!]))).toEqual(bins.slice(1, 4));
  });
});

describe('birthDateForAge', () => {
  it('gives the age asked for on 1 September 2025, whatever the day', () => {
    expect(birthDateForAge(6, 0)).toBe('2018-09-02');
    expect(birthDateForAge(6, 364)).toBe('2019-09-01');
    expect(birthDateForAge(16, 0)).toBe('2008-09-02');
  });
});

describe('priorityRank', () => {
  const order = ['ORPHAN', 'DISABILITY', 'MILITARY_FAMILY', 'LARGE_FAMILY', 'LOW_INCOME', 'SINGLE_PARENT'] as PriorityCategory[];

  it('is the index in the city’s order, with NONE and unlisted categories after every listed one', () => {
    expect(priorityRank(order, PriorityCategory.ORPHAN)).toBe(0);
    expect(priorityRank(order, PriorityCategory.LOW_INCOME)).toBe(4);
    expect(priorityRank(order, PriorityCategory.NONE)).toBe(6);
    expect(priorityRank([PriorityCategory.ORPHAN], PriorityCategory.DISABILITY)).toBe(1);
    expect(priorityRank([PriorityCategory.ORPHAN], PriorityCategory.NONE)).toBe(1);
  });
});

describe('evenlySpread and spreadInstants', () => {
  it('picks exactly the count asked for', () => {
    expect(evenlySpread(52_628, 7_800).filter(Boolean)).toHaveLength(7_800);
    expect(evenlySpread(5, 2)).toEqual([false, false, true, false, true]);
  });

  it('gives strictly increasing instants inside the window, kept to the microsecond', () => {
    const instants = spreadInstants('2025-08-05T04:00:00Z', '2025-08-18T13:00:00Z', 12_454, seededRandom('test'));
    expect(instants.every((t, i) => i === 0 || t > instants[i - 1]!)).toBe(true);
    expect(instants[0]!).toBeGreaterThanOrEqual(Date.parse('2025-08-05T04:00:00Z') * 1000);
    expect(instants.at(-1)!).toBeLessThan(Date.parse('2025-08-18T13:00:00Z') * 1000);
    expect(isoMicros(1_754_366_400_123_456)).toBe('2025-08-05T04:00:00.123456Z');
  });
});

describe('allocateSeats', () => {
  it('puts targeted vouchers only with schools and state institutions, and never overbooks', () => {
    const programs = [
      { kind: ProviderKind.PRIVATE, seats: 3, taken: 0 },
      { kind: ProviderKind.SCHOOL, seats: 2, taken: 0 },
      { kind: ProviderKind.STATE_INSTITUTION, seats: 2, taken: 0 },
    ];
    const { TARGETED: T, UNIVERSAL: U } = VoucherType;
    const placed = allocateSeats(programs, [U, T, T, U, T, U]);
    expect(placed.filter((_, i) => [1, 2, 4].includes(i)).every((p) => p !== 0)).toBe(true);
    expect(programs.map((p) => p.taken)).toEqual([2, 2, 2]);
  });

  it('fails rather than overbook', () => {
    const programs = [{ kind: ProviderKind.PRIVATE, seats: 5, taken: 0 }];
    expect(() => allocateSeats(programs, [VoucherType.TARGETED])).toThrow('Not enough seats for every TARGETED voucher');
  });
});
