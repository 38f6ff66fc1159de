import { Check, Embedded, Entity, Enum, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Direction, TeachingLanguage } from '../domain/enums.js';
import { uuidv7 } from '../ids.js';
import { LocalizedText } from './localized-text.embeddable.js';
import { Provider } from './provider.entity.js';

/** One weekly meeting of a club: ISO weekday (1 = Monday) and local start/end times. */
export interface ScheduleSlot {
  weekday: number;
  startsAt: string; // HH:MM
  endsAt: string; // HH:MM
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

/** A club or section of a provider, which a voucher can be placed in. */
@Entity({ tableName: 'program' })
@Check({ name: 'program_age_range', expression: 'min_age >= 0 and min_age <= max_age and max_age <= 18' })
@Check({ name: 'program_seats_positive', expression: 'seats > 0' })
// Enrollment (issue 3) takes a seat with a guarded UPDATE; this makes overbooking impossible.
@Check({ name: 'program_seats_taken_range', expression: 'seats_taken >= 0 and seats_taken <= seats' })
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

  /**
   * The weekly schedule as the "join" part of issue 13 defines it ({ weekday 1–7, start "HH:MM",
   * minutes }); null until a program has one, when timesheet checks read `schedule` instead.
   */
  @Property({ type: 'json', nullable: true })
  weeklySchedule?: { weekday: number; start: string; minutes: number }[] | null = null;

  /** A closed program stays in history but takes no new children. */
  @Property({ type: 'boolean', default: true })
  active: boolean = true;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  constructor(init: ProgramDescription & { provider: Ref<Provider> }) {
    this.provider = init.provider;
    this.title = init.title;
    this.direction = init.direction;
    this.minAge = init.minAge;
    this.maxAge = init.maxAge;
    this.seats = init.seats;
    this.schedule = init.schedule;
    this.language = init.language;
  }
}
