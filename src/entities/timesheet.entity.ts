import { Check, Entity, ManyToOne, PrimaryKey, Property, type Ref, Unique } from '@mikro-orm/core';
import { uuidv7 } from '../ids.js';
import { Program } from './program.entity.js';

/**
 * A provider's month of sessions for one program, as last submitted. One per program and month
 * (a unique constraint), so two submissions at once make one sheet; the sessions themselves are
 * Attendance rows (one per voucher, program and day), each naming the sheet that recorded it.
 */
@Entity({ tableName: 'timesheet' })
@Unique({ name: 'timesheet_one_per_program_month', properties: ['program', 'month'] })
@Check({ name: 'timesheet_month_format', expression: "month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'" })
export class Timesheet {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne({ entity: () => Program, ref: true, deleteRule: 'restrict' })
  program: Ref<Program>;

  /** "YYYY-MM". */
  @Property({ type: 'text' })
  month: string;

  /** 1 for the first submission; +1 for each submission that changed something. */
  @Property({ type: 'integer', default: 1 })
  version: number = 1;

  /** SHA-256 of the sheet's sessions in a canonical order: a resubmission with the same hash changes nothing. */
  @Property({ type: 'text' })
  contentHash: string;

  /** Who submitted the current version (role:id). */
  @Property({ type: 'text' })
  submittedBy: string;

  @Property({ type: 'datetime' })
  submittedAt: Date;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  constructor(init: { program: Ref<Program>; month: string; contentHash: string; submittedBy: string; submittedAt: Date }) {
    this.program = init.program;
    this.month = init.month;
    this.contentHash = init.contentHash;
    this.submittedBy = init.submittedBy;
    this.submittedAt = init.submittedAt;
  }
}
