import { Check, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Ref, ref } from '@mikro-orm/core';
import { EnrollmentStatus } from '../domain/enums.js';
import { uuidv7 } from '../ids.js';
import { ContractTerms } from './contract-terms.entity.js';
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
// The offer-contract is accepted with its consent, in one act: both recorded or neither (enrollments before contracts have neither).
@Check({ name: 'enrollment_contract_whole', expression: '(terms_version is null) = (terms_accepted_at is null) and (terms_version is null) = (consent_given_at is null)' })
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

  /** The standard terms the parent accepted for this enrollment (null only for enrollments made before contracts). */
  @ManyToOne({ entity: () => ContractTerms, ref: true, nullable: true, deleteRule: 'restrict', fieldName: 'terms_version' })
  terms?: Ref<ContractTerms> | null = null;

  @Property({ type: 'datetime', nullable: true })
  termsAcceptedAt?: Date | null = null;

  /** When the parent consented to the processing of the child's personal data (the consent text of the same terms version). */
  @Property({ type: 'datetime', nullable: true })
  consentGivenAt?: Date | null = null;

  constructor(voucher: Ref<Voucher>, program: Ref<Program>, startedAt: Date, previous: Ref<Enrollment> | null = null) {
    this.startedAt = startedAt;
    this.voucher = voucher;
    this.program = program;
    this.previous = previous;
  }

  /** The parent's acceptance of the terms and consent, at the instant of enrolling. */
  acceptContract(terms: ContractTerms, at: Date): void {
    this.terms = ref(terms);
    this.termsAcceptedAt = at;
    this.consentGivenAt = at;
  }
}
