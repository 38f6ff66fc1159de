import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { EnrollmentStatus } from '../domain/enums.js';
import { uuidv7 } from '../ids.js';
import { Program } from './program.entity.js';
import { Voucher } from './voucher.entity.js';

/**
 * A voucher placed in a program. One ACTIVE enrollment per voucher (a partial unique index) is what
 * makes "one child in seven clubs at once" impossible. Switching ends one and starts another.
 */
@Entity({ tableName: 'enrollment' })
@Index({
  name: 'enrollment_one_active_per_voucher',
  expression: `create unique index "enrollment_one_active_per_voucher" on "enrollment" ("voucher_id") where "status" = 'ACTIVE'`,
})
export class Enrollment {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne({ entity: () => Voucher, ref: true, deleteRule: 'restrict', index: true })
  voucher: Ref<Voucher>;

  @ManyToOne({ entity: () => Program, ref: true, deleteRule: 'restrict', index: true })
  program: Ref<Program>;

  /** Changed only through ENROLLMENT_TRANSITIONS. */
  @Enum({ items: () => EnrollmentStatus, type: 'text', default: EnrollmentStatus.ACTIVE })
  status: EnrollmentStatus = EnrollmentStatus.ACTIVE;

  /** The enrollment this one replaced, when the child switched programs. */
  @ManyToOne({ entity: () => Enrollment, ref: true, nullable: true, deleteRule: 'restrict' })
  previous?: Ref<Enrollment> | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  startedAt: Date;

  @Property({ type: 'datetime', nullable: true })
  endedAt?: Date | null = null;

  constructor(voucher: Ref<Voucher>, program: Ref<Program>, startedAt: Date, previous: Ref<Enrollment> | null = null) {
    this.startedAt = startedAt;
    this.voucher = voucher;
    this.program = program;
    this.previous = previous;
  }
}
