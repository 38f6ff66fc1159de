import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { BankDetailsStatus } from '../domain/enums.js';
import { PaymentType } from './payment.type.js';
import { DateTime } from './scalars.js';

registerEnumType(BankDetailsStatus, {
  name: 'BankDetailsStatus',
  description: 'A set of bank details: PROPOSED by the provider, then CONFIRMED or REJECTED by an operator of its city; SUPERSEDED once a newer set replaced it.',
});

@ObjectType('BankDetails', { description: 'A provider’s bank account for programme payments: a Kazakh IBAN and the bank’s BIK.' })
export class BankDetailsType {
  @Field(() => ID, { description: 'Stable id of this set.' })
  id!: string;

  @Field(() => String, { description: 'IBAN: KZ, two check digits (ISO 13616, mod 97), a three-digit bank code and a 13-character account; 20 characters, no spaces.' })
  iban!: string;

  @Field(() => String, { description: 'The bank’s BIK (SWIFT-like: 8 or 11 characters, e.g. HSBKKZKX).' })
  bik!: string;

  @Field(() => BankDetailsStatus, { description: 'Where this set is in its lifecycle.' })
  status!: BankDetailsStatus;

  @Field(() => DateTime, { description: 'When the provider proposed it.' })
  proposedAt!: Date;

  @Field(() => DateTime, { nullable: true, description: 'When an operator confirmed or rejected it.' })
  decidedAt?: Date | null;

  @Field(() => String, { nullable: true, description: 'Why it was rejected.' })
  rejectionReason?: string | null;
}

@InputType({ description: 'New bank details proposed by the provider (PROVIDER); in force once an operator of its city confirms them.' })
export class ProposeBankDetailsInput {
  @Field(() => String, { description: 'Kazakh IBAN (spaces and lower case are accepted).' })
  iban!: string;

  @Field(() => String, { description: 'The bank’s BIK.' })
  bik!: string;
}

@InputType({ description: 'Confirm proposed bank details (OPERATOR of the provider’s city or ADMIN).' })
export class ConfirmBankDetailsInput {
  @Field(() => ID, { description: 'The proposed set.' })
  bankDetailsId!: string;
}

@InputType({ description: 'Reject proposed bank details (OPERATOR of the provider’s city or ADMIN), with the reason the provider sees.' })
export class RejectBankDetailsInput {
  @Field(() => ID, { description: 'The proposed set.' })
  bankDetailsId!: string;

  @Field(() => String, { description: 'Why (3–1000 characters).' })
  reason!: string;
}

@ObjectType({ description: 'Result of proposeBankDetails, confirmBankDetails and rejectBankDetails.' })
export class BankDetailsPayload {
  @Field(() => BankDetailsType, { description: 'The set as saved.' })
  bankDetails!: BankDetailsType;
}

@InputType({ description: 'A bank statement to reconcile (OPERATOR of the city or ADMIN); the CSV format is in README “Payments the treasury executes”.' })
export class ImportBankStatementInput {
  @Field(() => String, { description: 'City code.' })
  city!: string;

  @Field(() => String, { description: 'The statement file, CSV text (UTF-8, header reference,payment_id,amount_tiyn,status,bank_reference,reason).' })
  csv!: string;
}

@ObjectType('StatementProblem', { description: 'A statement line that changed nothing, and why.' })
export class StatementProblemType {
  @Field(() => Int, { description: 'Line number in the file (the header is line 1).' })
  line!: number;

  @Field(() => String, { description: 'An error code of the closed set: NOT_FOUND, no such payment in the city; CONFLICT: the reference or amount does not match, or the payment is not APPROVED.' })
  code!: string;

  @Field(() => String, { nullable: true, description: 'The payment id the line names.' })
  paymentId?: string | null;

  @Field(() => String, { description: 'What is wrong, in English.' })
  message!: string;
}

@ObjectType('BankStatement', { description: 'An imported bank statement and what it changed. The same file is applied once, however often it is sent.' })
export class BankStatementType {
  @Field(() => ID, { description: 'Stable id of the import.' })
  id!: string;

  @Field(() => String, { description: 'SHA-256 of the file, hex.' })
  checksum!: string;

  @Field(() => DateTime, { description: 'When it was imported.' })
  importedAt!: Date;

  @Field(() => Int, { description: 'Lines in the file, the header not counted.' })
  lineCount!: number;

  @Field(() => [StatementProblemType], { description: 'Lines that changed nothing, with their line numbers.' })
  problems!: StatementProblemType[];
}

@ObjectType({ description: 'Result of importBankStatement.' })
export class ImportBankStatementPayload {
  @Field(() => BankStatementType, { description: 'The import (the first one, when this file was imported before).' })
  statement!: BankStatementType;

  @Field(() => Boolean, { description: 'True when this file had been imported before: nothing changed this time.' })
  alreadyImported!: boolean;
}

@InputType({ description: 'Re-issue a FAILED payment after the provider’s bank details were corrected (OPERATOR of the city or ADMIN).' })
export class ReissuePaymentInput {
  @Field(() => ID, { description: 'The FAILED payment.' })
  paymentId!: string;
}

@ObjectType({ description: 'Result of reissuePayment.' })
export class ReissuePaymentPayload {
  @Field(() => PaymentType, { description: 'The failed payment, now naming the payment that re-issues it.' })
  failed!: PaymentType;

  @Field(() => PaymentType, { description: 'The supplementary payment of the same month paying the failed one’s sessions (CALCULATED: approve it as any other).' })
  reissued!: PaymentType;
}
