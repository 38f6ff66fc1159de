import { Check, Entity, Enum, ManyToOne, PrimaryKey, Property, type Ref, Unique } from '@mikro-orm/core';
import { Direction, VoucherType } from '../domain/enums.js';
import { uuidv7 } from '../ids.js';
import { Enrollment } from './enrollment.entity.js';
import { Budget } from './budget.entity.js';
import { Payment } from './payment.entity.js';
import { bigintString } from './types/bigint-string.type.js';

/**
 * One enrollment's sessions in a payment: confirmed minutes × the hourly rate, capped per voucher
 * per month. Sessions still disputed or unconfirmed are counted in `heldSessions` and hold only
 * this line, never the provider's whole payment.
 */
@Entity({ tableName: 'payment_line' })
@Unique({ name: 'payment_line_one_per_enrollment', properties: ['payment', 'enrollment'] })
@Check({ name: 'payment_line_amounts', expression: 'amount_tiyn >= 0 and amount_tiyn <= gross_tiyn and paid_minutes <= confirmed_minutes' })
export class PaymentLine {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne({ entity: () => Payment, ref: true, deleteRule: 'restrict', index: true })
  payment: Ref<Payment>;

  @ManyToOne({ entity: () => Enrollment, ref: true, deleteRule: 'restrict', index: true })
  enrollment: Ref<Enrollment>;

  @Property({ type: 'uuid', index: true })
  voucherId: string;

  @Enum({ items: () => VoucherType, type: 'text' })
  voucherType: VoucherType;

  @Enum({ items: () => Direction, type: 'text' })
  direction: Direction;

  /** Minutes of confirmed sessions this line pays for. */
  @Property({ type: 'integer' })
  confirmedMinutes: number;

  /** Minutes paid after the monthly cap. */
  @Property({ type: 'integer' })
  paidMinutes: number;

  @Property({ type: bigintString() })
  rateTiynPerHour: string;

  /** confirmed minutes × rate, before the cap. */
  @Property({ type: bigintString() })
  grossTiyn: string;

  @Property({ type: bigintString() })
  amountTiyn: string;

  /**
   * The budget this line's amount is committed to (its city, voucher type and year), or null while
   * none is set; setting one takes the line in. Paying or failing the payment moves money only here.
   */
  @ManyToOne({ entity: () => Budget, ref: true, nullable: true, deleteRule: 'restrict', index: true })
  budget?: Ref<Budget> | null = null;

  /** Sessions of this enrollment in the month not paid by this or an earlier line (disputed, unconfirmed, awaiting the parent, or held by a suspension). */
  @Property({ type: 'integer' })
  heldSessions: number;

  constructor(init: Omit<PaymentLine, 'id'>) {
    this.payment = init.payment;
    this.enrollment = init.enrollment;
    this.voucherId = init.voucherId;
    this.voucherType = init.voucherType;
    this.direction = init.direction;
    this.confirmedMinutes = init.confirmedMinutes;
    this.paidMinutes = init.paidMinutes;
    this.rateTiynPerHour = init.rateTiynPerHour;
    this.grossTiyn = init.grossTiyn;
    this.amountTiyn = init.amountTiyn;
    this.heldSessions = init.heldSessions;
  }
}
