import { Entity, ManyToOne, PrimaryKey, Property, type Ref, Unique } from '@mikro-orm/core';
import { uuidv7 } from '../ids.js';
import { City } from './city.entity.js';

/** One line of an imported statement that changed nothing, and why (a code of the closed set). */
export interface StatementProblem {
  line: number;
  code: string;
  paymentId: string | null;
  message: string;
}

/**
 * A bank statement as imported: its SHA-256 is unique per city, so importing the same file again
 * (or twice at once) applies it once; the second import answers with the first one's outcome.
 */
@Entity({ tableName: 'bank_statement' })
@Unique({ name: 'bank_statement_city_checksum', properties: ['city', 'checksum'] })
export class BankStatement {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne({ entity: () => City, ref: true, deleteRule: 'restrict' })
  city: Ref<City>;

  /** SHA-256 of the file as sent, hex. */
  @Property({ type: 'text' })
  checksum: string;

  @Property({ type: 'datetime' })
  importedAt: Date;

  /** Who imported it (role:id), for the audit trail. */
  @Property({ type: 'text' })
  importedBy: string;

  @Property({ type: 'integer' })
  lineCount: number;

  /** Payments this statement marked PAID, and FAILED. */
  @Property({ type: 'json' })
  paidPaymentIds: string[];

  @Property({ type: 'json' })
  failedPaymentIds: string[];

  @Property({ type: 'json' })
  problems: StatementProblem[];

  constructor(init: Omit<BankStatement, 'id'>) {
    this.city = init.city;
    this.checksum = init.checksum;
    this.importedAt = init.importedAt;
    this.importedBy = init.importedBy;
    this.lineCount = init.lineCount;
    this.paidPaymentIds = init.paidPaymentIds;
    this.failedPaymentIds = init.failedPaymentIds;
    this.problems = init.problems;
  }
}
