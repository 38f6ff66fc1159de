// What a program is made of, checked: its description, ages, seats and weekly schedule in either
// form (start/end or start/minutes, each computed from the other), and what review needs filled in.
import { minutesLeftInDay, TIME_RE, toSlots, toWeekly } from '../domain/schedule.js';
import { LocalizedText, type Program } from '../entities/index.js';
import type { ProgramDescription, ProgramDetails, ScheduleSlot, WeeklySlot } from '../entities/program.entity.js';
import { badInput } from '../errors.js';
import { requireIntInRange, requireText } from './validate.js';

export interface LocalizedTextInput {
  kk: string;
  ru: string;
  en?: string | null;
}

export type ProgramFields = ProgramDescription<LocalizedTextInput>;
export type DetailFields = { [K in keyof ProgramDetails]?: ProgramDetails[K] | null } & { weeklySchedule?: WeeklySlot[] | null };

export const MAX_AGE = 18;
const MAX_SEATS = 10_000;
const MAX_SLOTS = 14;

/** What parents need before the city reviews a program: where, who, what, and when it meets. */
export function requireComplete(program: Program): void {
  const missing = (['description', 'address', 'district', 'teacherName'] as const).find((key) => !program[key]);
  if (missing) throw badInput(`program.${missing}`, `Fill in ${missing} (updateProgram) before submitting the program for review.`);
  if (program.weeklySchedule.length === 0) throw badInput('program.weeklySchedule', 'Give the weekly schedule (updateProgram) before submitting the program for review.');
}

export function detailsOf(program: Program): DetailFields {
  return { description: program.description, address: program.address, district: program.district, teacherName: program.teacherName };
}

export function definedDetails(input: DetailFields): DetailFields {
  return Object.fromEntries((['description', 'address', 'district', 'teacherName'] as const).filter((k) => input[k] != null).map((k) => [k, input[k]]));
}

export function validateDetails(input: DetailFields, path: string): ProgramDetails {
  const text = (value: string | null | undefined, field: string, max: number) => (value == null || value.trim() === '' ? null : requireText(value, `${path}.${field}`, { min: 2, max }));
  return {
    description: text(input.description, 'description', 4000),
    address: text(input.address, 'address', 300),
    district: text(input.district, 'district', 100),
    teacherName: text(input.teacherName, 'teacherName', 200),
  };
}

export function validateFields(input: ProgramFields & { weeklySchedule?: WeeklySlot[] | null }, path: string): ProgramFields & { title: LocalizedText; weeklySchedule: WeeklySlot[] } {
  const title = new LocalizedText(
    requireText(input.title.kk, `${path}.title.kk`),
    requireText(input.title.ru, `${path}.title.ru`),
    input.title.en ? requireText(input.title.en, `${path}.title.en`) : null,
  );
  const minAge = requireIntInRange(input.minAge, `${path}.minAge`, 0, MAX_AGE);
  const maxAge = requireIntInRange(input.maxAge, `${path}.maxAge`, 0, MAX_AGE);
  if (minAge > maxAge) throw badInput(`${path}.maxAge`, 'maxAge must not be below minAge.');
  const seats = requireIntInRange(input.seats, `${path}.seats`, 1, MAX_SEATS);
  // One set of meetings in two forms: whichever the caller gives, the other is computed from it.
  if (input.weeklySchedule != null && input.schedule.length > 0) throw badInput(`${path}.weeklySchedule`, 'Give schedule or weeklySchedule, not both.');
  const weeklySchedule = input.weeklySchedule != null ? validateWeekly(input.weeklySchedule, `${path}.weeklySchedule`) : toWeekly(validateSchedule(input.schedule, `${path}.schedule`));
  const { weeklySchedule: _given, ...rest } = input;
  return { ...rest, title, minAge, maxAge, seats, schedule: toSlots(weeklySchedule), weeklySchedule };
}

function validateSchedule(slots: ScheduleSlot[], path: string): ScheduleSlot[] {
  if (slots.length > MAX_SLOTS) throw badInput(path, `A schedule has at most ${MAX_SLOTS} weekly slots.`);
  return slots.map((slot, i) => {
    requireIntInRange(slot.weekday, `${path}[${i}].weekday`, 1, 7);
    if (!TIME_RE.test(slot.startsAt)) throw badInput(`${path}[${i}].startsAt`, 'Times are HH:MM, 24-hour.');
    if (!TIME_RE.test(slot.endsAt)) throw badInput(`${path}[${i}].endsAt`, 'Times are HH:MM, 24-hour.');
    if (slot.endsAt <= slot.startsAt) throw badInput(`${path}[${i}].endsAt`, 'A slot must end after it starts.');
    return { weekday: slot.weekday, startsAt: slot.startsAt, endsAt: slot.endsAt };
  });
}

function validateWeekly(slots: WeeklySlot[], path: string): WeeklySlot[] {
  if (slots.length > MAX_SLOTS) throw badInput(path, `A schedule has at most ${MAX_SLOTS} weekly slots.`);
  const checked = slots.map((slot, i) => {
    requireIntInRange(slot.weekday, `${path}[${i}].weekday`, 1, 7);
    if (!TIME_RE.test(slot.start)) throw badInput(`${path}[${i}].start`, 'Times are HH:MM, 24-hour.');
    requireIntInRange(slot.minutes, `${path}[${i}].minutes`, 15, 600);
    if (slot.minutes > minutesLeftInDay(slot.start)) throw badInput(`${path}[${i}].minutes`, 'A meeting ends the same day it starts.');
    return { weekday: slot.weekday, start: slot.start, minutes: slot.minutes };
  });
  // A group meets once at a time: two slots of one day may not overlap (sessions are checked against them).
  const byStart = checked.map((slot, i) => ({ ...slot, i, endsAt: toSlots([slot])[0]!.endsAt })).sort((a, b) => a.weekday - b.weekday || a.start.localeCompare(b.start));
  for (let k = 1; k < byStart.length; k++) {
    const [prev, next] = [byStart[k - 1]!, byStart[k]!];
    if (prev.weekday === next.weekday && prev.endsAt > next.start) throw badInput(`${path}[${next.i}].start`, 'Two meetings of one day overlap.');
  }
  return checked;
}
