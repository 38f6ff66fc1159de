// The two forms of a program's weekly meetings convert into each other exactly.
import { describe, expect, it } from 'vitest';
import { minutesLeftInDay, toSlots, toWeekly } from '../../src/domain/schedule.js';

describe('weekly schedules', () => {
  it('turn start/end slots into start/minutes and back', () => {
    const slots = [
      { weekday: 2, startsAt: '15:00', endsAt: '16:30' },
      { weekday: 7, startsAt: '09:05', endsAt: '10:00' },
    ];
    const weekly = toWeekly(slots);
    expect(weekly).toEqual([
      { weekday: 2, start: '15:00', minutes: 90 },
      { weekday: 7, start: '09:05', minutes: 55 },
    ]);
    expect(toSlots(weekly)).toEqual(slots);
  });

  it('know how much of the day is left after a start', () => {
    expect(minutesLeftInDay('23:30')).toBe(29);
    expect(minutesLeftInDay('00:00')).toBe(1439);
  });
});
