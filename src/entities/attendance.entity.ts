import { ArrayType, Check, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Ref, Unique } from '@mikro-orm/core';
import { AttendanceStatus } from '../domain/enums.js';
import { uuidv7 } from '../ids.js';
import { Enrollment } from './enrollment.entity.js';
import { Program } from './program.entity.js';
import { Timesheet } from './timesheet.entity.js';
import { Voucher } from './voucher.entity.js';

/**
 * One session a provider says a child attended. Billable only once the parent confirms it; paid at
 * most once (a single payment line reference). One record per child's voucher, program and date —
 * whichever enrollment recorded it (switching away and back makes a new enrollment in the same
 * program) — so recording a session again changes nothing. Two programs the same day happen only
 * on the day of a switch, when both enrollments cover it.
 */
@Entity({ tableName: 'attendance' })
@Unique({ name: 'attendance_one_per_voucher_program_day', properties: ['voucher', 'program', 'sessionDate'] })
@Check({ name: 'attendance_minutes_range', expression: 'minutes > 0 and minutes <= 600' })
@Index({ name: 'attendance_program_date', properties: ['program', 'sessionDate'] })
@Check({ name: 'attendance_flags_known', expression: "flags <@ array['HOLIDAY','OFF_SCHEDULE','OVER_SLOT','OVERLAP','SUSPENDED']::text[]" })
// The operator's review list: flagged sessions not yet cleared.
@Index({
  name: 'attendance_flagged_open',
  expression: `create index "attendance_flagged_open" on "attendance" ("program_id", "session_date") where "flags" <> '{}' and "flags_cleared_at" is null`,
})
@Index({ name: 'attendance_open', expression: `create index "attendance_open" on "attendance" ("session_date") where "status" = 'RECORDED'` })
export class Attendance {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne({ entity: () => Enrollment, ref: true, deleteRule: 'restrict' })
  enrollment: Ref<Enrollment>;

  /** The enrollment's voucher (the child's), kept here so the one-session-a-day rule is a constraint. */
  @ManyToOne({ entity: () => Voucher, ref: true, deleteRule: 'restrict' })
  voucher: Ref<Voucher>;

  /** The enrollment's program, kept here so a provider's sessions are found without joins. */
  @ManyToOne({ entity: () => Program, ref: true, deleteRule: 'restrict' })
  program: Ref<Program>;

  @Property({ type: 'date' })
  sessionDate: string;

  /** Duration in whole minutes; hours × rate is computed from these, in integers. */
  @Property({ type: 'integer' })
  minutes: number;

  /** Changed only through ATTENDANCE_TRANSITIONS. */
  @Enum({ items: () => AttendanceStatus, type: 'text', default: AttendanceStatus.RECORDED })
  status: AttendanceStatus = AttendanceStatus.RECORDED;

  @Property({ type: 'text', nullable: true })
  disputeReason?: string | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  recordedAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  decidedAt?: Date | null = null;

  /**
   * The timesheet checks this session failed and the city's rules flag rather than refuse
   * (TimesheetCheck names). A flagged session is not payable until the operator clears it.
   */
  @Property({ type: ArrayType, columnType: 'text[]', default: '{}' })
  flags: string[] = [];

  /** When the city's operator cleared the flags (the session is payable again once confirmed). */
  @Property({ type: 'datetime', nullable: true })
  flagsClearedAt?: Date | null = null;

  /** Who cleared them (role:id). */
  @Property({ type: 'text', nullable: true })
  flagsClearedBy?: string | null = null;

  /** The timesheet that last recorded or changed it; null for a session recorded one day at a time. */
  @ManyToOne({ entity: () => Timesheet, ref: true, nullable: true, deleteRule: 'set null' })
  timesheet?: Ref<Timesheet> | null = null;

  /** The payment line that paid this session; set once, by settlement. */
  @Property({ type: 'uuid', nullable: true, index: true })
  paymentLineId?: string | null = null;

  constructor(enrollment: Ref<Enrollment>, voucher: Ref<Voucher>, program: Ref<Program>, sessionDate: string, minutes: number) {
    this.enrollment = enrollment;
    this.voucher = voucher;
    this.program = program;
    this.sessionDate = sessionDate;
    this.minutes = minutes;
  }
}
