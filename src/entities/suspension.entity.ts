import { Check, Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { uuidv7 } from '../ids.js';

/** What can be taken out of the programme for a while: money never flows to it meanwhile. */
export enum SuspendedSubject {
  VOUCHER = 'VOUCHER',
  PROVIDER = 'PROVIDER',
  PROGRAM = 'PROGRAM',
}

/**
 * A stretch of time in which a voucher or provider was suspended, or a program inactive. Statuses
 * say what is true now; settlement needs what was true on a session's date (a session recorded
 * for a day the voucher was suspended is never paid, even after it is reinstated), so each
 * suspension is kept as a period. One open period per subject (a partial unique index).
 */
@Entity({ tableName: 'suspension' })
@Index({ name: 'suspension_subject', properties: ['subjectId', 'startsAt'] })
@Index({
  name: 'suspension_one_open_per_subject',
  expression: `create unique index "suspension_one_open_per_subject" on "suspension" ("subject_id") where "ends_at" is null`,
})
@Check({ name: 'suspension_period_order', expression: 'ends_at is null or ends_at >= starts_at' })
export class Suspension {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Enum({ items: () => SuspendedSubject, type: 'text' })
  subjectType: SuspendedSubject;

  /** The voucher's, provider's or program's id. */
  @Property({ type: 'uuid' })
  subjectId: string;

  @Property({ type: 'datetime' })
  startsAt: Date;

  /** Null while it lasts. */
  @Property({ type: 'datetime', nullable: true })
  endsAt?: Date | null = null;

  constructor(subjectType: SuspendedSubject, subjectId: string, startsAt: Date) {
    this.subjectType = subjectType;
    this.subjectId = subjectId;
    this.startsAt = startsAt;
  }
}
