import { type EntityManager, LockMode, ref } from '@mikro-orm/postgresql';
import { CsvError, parse } from 'csv-parse/sync';
import type { Clock } from '../clock.js';
import { PaymentStatus } from '../domain/enums.js';
import type { Viewer } from '../auth/viewer.js';
import { BankStatement, City, Payment, Provider, type StatementProblem } from '../entities/index.js';
import { badInput, ErrorCode } from '../errors.js';
import { isUuid } from '../ids.js';
import { requireCityAuthority } from './access.js';
import { actorOf, recordAudit } from './audit.service.js';
import type { CityService } from './city.service.js';
import { advisoryLock, LockKey } from './locks.js';
import type { PaymentService } from './payment.service.js';
import { paymentReference, sha256 } from './treasury.service.js';
import { inTransaction } from './transaction.js';

/** The statement's columns, in order (README "Payments the treasury executes"). */
export const STATEMENT_COLUMNS = ['reference', 'payment_id', 'amount_tiyn', 'status', 'bank_reference', 'reason'] as const;
const MAX_LINES = 5000;

interface StatementLine {
  line: number;
  reference: string;
  paymentId: string;
  amountTiyn: string;
  status: 'PAID' | 'REJECTED';
  bankReference: string;
  reason: string;
}

export interface StatementOutcome {
  statement: BankStatement;
  /** True when this file had been imported before: nothing was applied this time. */
  alreadyImported: boolean;
}

/**
 * Reconciliation: a bank statement (CSV) applied to a city's approved payments. Lines the bank
 * paid mark their payment PAID with the bank's reference, lines it rejected mark it FAILED with
 * the reason, both through PaymentService's moves (budgets and sessions follow); any other line is
 * reported with its line number and changes nothing. A malformed file is refused whole. A file is
 * applied once: its SHA-256 is unique per city (the bank_statement constraint), and an import of
 * the same file waits on the first (an advisory lock on the checksum) and answers with its outcome.
 */
export class StatementService {
  constructor(
    private readonly em: EntityManager,
    private readonly cities: CityService,
    private readonly payments: PaymentService,
    private readonly clock: Clock,
  ) {}

  async import(viewer: Viewer, cityCode: string, csv: string): Promise<StatementOutcome> {
    requireCityAuthority(viewer, cityCode.trim().toUpperCase());
    const city = await this.cities.byCode(cityCode, 'input.city');
    const lines = parseStatement(csv);
    const checksum = sha256(csv);
    return inTransaction(this.em, async (em) => {
      await advisoryLock(em, LockKey.statement(city.id, checksum));
      const earlier = await em.findOne(BankStatement, { city: city.id, checksum });
      if (earlier) return { statement: earlier, alreadyImported: true };
      const outcome = await this.apply(em, viewer, city, lines);
      const statement = new BankStatement({
        city: ref(em.getReference(City, city.id)),
        checksum,
        importedAt: this.clock(),
        importedBy: `${actorOf(viewer).role}:${actorOf(viewer).id ?? ''}`,
        lineCount: lines.length,
        ...outcome,
      });
      em.persist(statement);
      recordAudit(em, actorOf(viewer), {
        action: 'BANK_STATEMENT_IMPORTED',
        entityType: 'BankStatement',
        entityId: statement.id,
        cityCode: city.code,
        after: { checksum, lineCount: lines.length, paid: outcome.paidPaymentIds, failed: outcome.failedPaymentIds, problems: outcome.problems.length },
      });
      return { statement, alreadyImported: false };
    });
  }

  /** Each line against its payment, the payments locked in id order (as every payment move locks one row). */
  private async apply(em: EntityManager, viewer: Viewer, city: City, lines: StatementLine[]) {
    const ids = [...new Set(lines.map((l) => l.paymentId).filter(isUuid))].sort();
    const found = ids.length ? await em.find(Payment, { id: { $in: ids }, city: city.id }, { orderBy: { id: 'asc' }, lockMode: LockMode.PESSIMISTIC_WRITE }) : [];
    const providers = found.length ? await em.find(Provider, { id: { $in: found.map((p) => p.provider.id) } }) : [];
    const paidPaymentIds: string[] = [];
    const failedPaymentIds: string[] = [];
    const problems: StatementProblem[] = [];
    const problem = (line: StatementLine, code: ErrorCode, message: string) => problems.push({ line: line.line, code, paymentId: line.paymentId, message });
    for (const line of lines) {
      const payment = found.find((p) => p.id === line.paymentId);
      if (!payment) {
        problem(line, ErrorCode.NOT_FOUND, `No payment ${line.paymentId} in ${city.code}.`);
        continue;
      }
      const bin = providers.find((p) => p.id === payment.provider.id)!.bin;
      const reference = paymentReference({ period: payment.period, sequence: payment.sequence, provider_bin: bin });
      if (line.reference !== reference) problem(line, ErrorCode.CONFLICT, `The reference is ${line.reference}; the payment order gave ${reference}.`);
      else if (line.amountTiyn !== payment.amountTiyn) problem(line, ErrorCode.CONFLICT, `The amount is ${line.amountTiyn} tiyn; the payment is ${payment.amountTiyn}.`);
      else if (payment.status !== PaymentStatus.APPROVED) problem(line, ErrorCode.CONFLICT, `The payment is ${payment.status}, not APPROVED: nothing changed.`);
      else if (line.status === 'PAID') {
        await this.payments.moveLocked(em, actorOf(viewer), payment, city, PaymentStatus.PAID, { bankReference: line.bankReference });
        paidPaymentIds.push(payment.id);
      } else {
        await this.payments.moveLocked(em, actorOf(viewer), payment, city, PaymentStatus.FAILED, { failureReason: line.reason, bankReference: line.bankReference || null });
        failedPaymentIds.push(payment.id);
      }
    }
    return { paidPaymentIds, failedPaymentIds, problems };
  }
}

/**
 * The file's lines, checked as text before anything is read from the database: the header, the
 * column count, a payment id, an amount in whole tiyn, PAID or REJECTED, a bank reference for a
 * paid line, a reason for a rejected one, each payment once. The first bad line refuses the file
 * (BAD_USER_INPUT naming its line number).
 */
export function parseStatement(csv: string): StatementLine[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(csv, { bom: true, info: true, skip_empty_lines: true, trim: true, relax_column_count: true }) as unknown as typeof records;
  } catch (err) {
    if (err instanceof CsvError) throw badInput('input.csv', `The statement is not valid CSV: ${err.message}.`);
    throw err;
  }
  const [header, ...rows] = records;
  if (!header || header.record.map((c) => c.toLowerCase()).join(',') !== STATEMENT_COLUMNS.join(',')) {
    throw badInput('input.csv', `Line 1 must be the header ${STATEMENT_COLUMNS.join(',')}.`);
  }
  if (rows.length === 0) throw badInput('input.csv', 'The statement has no lines.');
  if (rows.length > MAX_LINES) throw badInput('input.csv', `A statement has at most ${MAX_LINES} lines; split it.`);
  const seen = new Set<string>();
  return rows.map(({ record, info }) => {
    const at = (message: string) => badInput('input.csv', `Line ${info.lines}: ${message}`);
    if (record.length !== STATEMENT_COLUMNS.length) throw at(`${STATEMENT_COLUMNS.length} columns expected, ${record.length} found.`);
    const [reference, paymentId, amountTiyn, status, bankReference, reason] = record as [string, string, string, string, string, string];
    if (!isUuid(paymentId)) throw at(`"${paymentId}" is not a payment id.`);
    if (seen.has(paymentId)) throw at(`payment ${paymentId} is listed twice.`);
    seen.add(paymentId);
    if (!/^(0|[1-9][0-9]{0,15})$/.test(amountTiyn)) throw at(`the amount "${amountTiyn}" is not a whole number of tiyn.`);
    if (status !== 'PAID' && status !== 'REJECTED') throw at(`the status "${status}" is neither PAID nor REJECTED.`);
    if (status === 'PAID' && (bankReference.length < 3 || bankReference.length > 100)) throw at('a PAID line needs the bank reference (3–100 characters).');
    if (status === 'REJECTED' && (reason.length < 3 || reason.length > 1000)) throw at('a REJECTED line needs the reason (3–1000 characters).');
    if (reference.length > 100) throw at('the reference is longer than 100 characters.');
    return { line: info.lines, reference, paymentId: paymentId.toLowerCase(), amountTiyn, status, bankReference, reason };
  });
}
