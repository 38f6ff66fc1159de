import { Check, Embedded, Entity, Enum, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Direction, ProgramStatus, TeachingLanguage } from '../domain/enums.js';
import { uuidv7 } from '../ids.js';
import { LocalizedText } from './localized-text.embeddable.js';
import { Provider } from './provider.entity.js';

/** One weekly meeting of a club: ISO weekday (1 = Monday) and local start/end times. */
export interface ScheduleSlot {
  weekday: number;
  startsAt: string; // HH:MM
  endsAt: string; // HH:MM
}

/**
 * One weekly meeting as `program.weekly_schedule` stores it (the form sessions are checked against):
 * ISO weekday, local start "HH:MM" and length in minutes.
 */
export interface WeeklySlot {
  weekday: number;
  start: string; // HH:MM
  minutes: number;
}

/** What describes a program, with the title in whatever form the caller holds it. */
export interface ProgramDescription<Title = LocalizedText> {
  title: Title;
  direction: Direction;
  minAge: number;
  maxAge: number;
  seats: number;
  schedule: ScheduleSlot[];
  language: TeachingLanguage;
}

/** What a program tells parents beyond its description (all optional for programs made before review existed). */
export interface ProgramDetails {
  description: string | null;
  address: string | null;
  district: string | null;
  teacherName: string | null;
}

/** A club or section of a provider, which a voucher can be placed in. */
@Entity({ tableName: 'program' })
@Check({ name: 'program_age_range', expression: 'min_age >= 0 and min_age <= max_age and max_age <= 18' })
@Check({ name: 'program_seats_positive', expression: 'seats > 0' })
// Enrollment (issue 3) takes a seat with a guarded UPDATE; this makes overbooking impossible.
@Check({ name: 'program_seats_taken_range', expression: 'seats_taken >= 0 and seats_taken <= seats' })
@Check({ name: 'program_published_at', expression: "(status = 'PUBLISHED') = (published_at is not null)" })
@Check({ name: 'program_weekly_schedule_array', expression: "jsonb_typeof(weekly_schedule) = 'array'" })
export class Program {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne({ entity: () => Provider, ref: true, deleteRule: 'restrict', index: true })
  provider: Ref<Provider>;

  @Embedded({ entity: () => LocalizedText, prefix: 'title_' })
  title: LocalizedText;

  @Enum({ items: () => Direction, type: 'text' })
  direction: Direction;

  @Property({ type: 'smallint' })
  minAge: number;

  @Property({ type: 'smallint' })
  maxAge: number;

  @Property({ type: 'integer' })
  seats: number;

  @Property({ type: 'integer', default: 0 })
  seatsTaken: number = 0;

  /** Kept by PostgreSQL, so filters on free seats never disagree with the counters. */
  @Property({ type: 'integer', generated: '(seats - seats_taken) stored', nullable: true })
  freeSeats?: number;

  @Property({ type: 'json' })
  schedule: ScheduleSlot[];

  @Enum({ items: () => TeachingLanguage, type: 'text' })
  language: TeachingLanguage;

  /** The same meetings as `schedule`, as start and minutes; the service keeps the two equal. */
  @Property({ type: 'jsonb', default: '[]' })
  weeklySchedule: WeeklySlot[] = [];

  /** Changed only through PROGRAM_TRANSITIONS. */
  @Enum({ items: () => ProgramStatus, type: 'text', default: ProgramStatus.DRAFT })
  status: ProgramStatus = ProgramStatus.DRAFT;

  @Property({ type: 'text', nullable: true })
  description?: string | null = null;

  @Property({ type: 'text', nullable: true })
  address?: string | null = null;

  @Property({ type: 'text', nullable: true })
  district?: string | null = null;

  @Property({ type: 'text', nullable: true })
  teacherName?: string | null = null;

  /** The operator's comments when the program was last returned (cleared when it is published). */
  @Property({ type: 'text', nullable: true })
  reviewComment?: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  submittedAt?: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  publishedAt?: Date | null = null;

  /** A closed program stays in history but takes no new children. */
  @Property({ type: 'boolean', default: true })
  active: boolean = true;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  constructor(init: ProgramDescription & { provider: Ref<Provider>; weeklySchedule: WeeklySlot[] } & Partial<ProgramDetails>) {
    this.provider = init.provider;
    this.weeklySchedule = init.weeklySchedule;
    this.description = init.description ?? null;
    this.address = init.address ?? null;
    this.district = init.district ?? null;
    this.teacherName = init.teacherName ?? null;
    this.title = init.title;
    this.direction = init.direction;
    this.minAge = init.minAge;
    this.maxAge = init.maxAge;
    this.seats = init.seats;
    this.schedule = init.schedule;
    this.language = init.language;
  }
}
