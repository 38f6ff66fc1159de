// The voucher lifecycle as explicit transition tables (DESIGN §2). Nothing assigns these statuses
// except through moveTo()/moveAll() (src/services/status-change.ts), which check these tables; a
// move not listed here is a CONFLICT. Each table is named by a Lifecycle below.
import { ApplicationStatus, AttendanceStatus, BankDetailsStatus, ClaimStatus, EnrollmentStatus, OfferStatus, PaymentStatus, ProgramReviewDecision, ProgramStatus, ProviderDecision, ProviderStatus, VoucherStatus } from './enums.js';
import type { TransitionTable } from './lifecycle.js';

export const APPLICATION_TRANSITIONS: TransitionTable<ApplicationStatus> = {
  [ApplicationStatus.QUEUED]: [ApplicationStatus.OFFERED, ApplicationStatus.WITHDRAWN, ApplicationStatus.CANCELLED],
  // Declined or lapsed offers go back to the queue or are cancelled, per the city's rules.
  [ApplicationStatus.OFFERED]: [ApplicationStatus.ACCEPTED, ApplicationStatus.QUEUED, ApplicationStatus.CANCELLED],
  [ApplicationStatus.ACCEPTED]: [],
  [ApplicationStatus.WITHDRAWN]: [],
  // A cancelled application may be restored to its old place (rules: how often, how long after).
  [ApplicationStatus.CANCELLED]: [ApplicationStatus.QUEUED],
};

export const OFFER_TRANSITIONS: TransitionTable<OfferStatus> = {
  [OfferStatus.PENDING]: [OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.EXPIRED],
  [OfferStatus.ACCEPTED]: [],
  [OfferStatus.DECLINED]: [],
  [OfferStatus.EXPIRED]: [],
};

export const VOUCHER_TRANSITIONS: TransitionTable<VoucherStatus> = {
  [VoucherStatus.RESERVED]: [VoucherStatus.ACTIVE, VoucherStatus.RELEASED],
  [VoucherStatus.ACTIVE]: [VoucherStatus.SUSPENDED, VoucherStatus.CLOSED, VoucherStatus.REVOKED],
  [VoucherStatus.SUSPENDED]: [VoucherStatus.ACTIVE, VoucherStatus.CLOSED, VoucherStatus.REVOKED],
  [VoucherStatus.CLOSED]: [],
  [VoucherStatus.REVOKED]: [],
  [VoucherStatus.RELEASED]: [],
};

/**
 * What an operator's suspend, reinstate and revoke may do, on top of VOUCHER_TRANSITIONS (which
 * also holds the offer's moves: RESERVED → ACTIVE on acceptance). Each action moves only the
 * statuses it means: reinstating lifts a suspension and nothing else. A RESERVED voucher belongs to
 * its pending offer — accepted, declined or expired, never touched by an operator (revoke it once
 * accepted; until then the family holds nothing to revoke).
 */
export const VOUCHER_OPERATOR_ACTIONS = {
  SUSPENDED: { from: [VoucherStatus.ACTIVE], to: VoucherStatus.SUSPENDED },
  REINSTATED: { from: [VoucherStatus.SUSPENDED], to: VoucherStatus.ACTIVE },
  REVOKED: { from: [VoucherStatus.ACTIVE, VoucherStatus.SUSPENDED], to: VoucherStatus.REVOKED },
} as const satisfies Record<string, { from: readonly VoucherStatus[]; to: VoucherStatus }>;

export type VoucherOperatorAction = keyof typeof VOUCHER_OPERATOR_ACTIONS;

export const ENROLLMENT_TRANSITIONS: TransitionTable<EnrollmentStatus> = {
  [EnrollmentStatus.ACTIVE]: [EnrollmentStatus.TRANSFERRED, EnrollmentStatus.ENDED],
  [EnrollmentStatus.TRANSFERRED]: [],
  [EnrollmentStatus.ENDED]: [],
};

/** Statuses in which an application holds a place (and blocks a second application of its type). */
export const OPEN_APPLICATION_STATUSES = [ApplicationStatus.QUEUED, ApplicationStatus.OFFERED] as const;

/** Statuses in which a voucher is the child's one voucher. */
export const HELD_VOUCHER_STATUSES = [VoucherStatus.ACTIVE, VoucherStatus.SUSPENDED] as const;

export const ATTENDANCE_TRANSITIONS: TransitionTable<AttendanceStatus> = {
  [AttendanceStatus.RECORDED]: [AttendanceStatus.CONFIRMED, AttendanceStatus.DISPUTED, AttendanceStatus.UNCONFIRMED],
  [AttendanceStatus.CONFIRMED]: [],
  [AttendanceStatus.DISPUTED]: [],
  [AttendanceStatus.UNCONFIRMED]: [],
};

/** A FAILED payment's sessions become payable again in a later settlement. */
export const PAYMENT_TRANSITIONS: TransitionTable<PaymentStatus> = {
  [PaymentStatus.CALCULATED]: [PaymentStatus.APPROVED],
  [PaymentStatus.APPROVED]: [PaymentStatus.PAID, PaymentStatus.FAILED],
  [PaymentStatus.PAID]: [],
  [PaymentStatus.FAILED]: [],
};

/**
 * A provider's bank details: a proposal is confirmed or rejected by the city's operator, or
 * replaced by the provider's next proposal; confirmed details stay in force (payments approved
 * meanwhile name them) until newer ones are confirmed.
 */
export const BANK_DETAILS_TRANSITIONS: TransitionTable<BankDetailsStatus> = {
  [BankDetailsStatus.PROPOSED]: [BankDetailsStatus.CONFIRMED, BankDetailsStatus.REJECTED, BankDetailsStatus.SUPERSEDED],
  [BankDetailsStatus.CONFIRMED]: [BankDetailsStatus.SUPERSEDED],
  [BankDetailsStatus.REJECTED]: [],
  [BankDetailsStatus.SUPERSEDED]: [],
};

/**
 * A parent–child link and a priority category are claims until the population registry or the
 * city's operator decides them. A VERIFIED link can still be rejected: when an operator verifies
 * another family's claim on the same child (one verified representative per child), or finds it
 * was verified in error.
 */
export const CLAIM_TRANSITIONS: TransitionTable<ClaimStatus> = {
  [ClaimStatus.CLAIMED]: [ClaimStatus.VERIFIED, ClaimStatus.REJECTED],
  [ClaimStatus.VERIFIED]: [ClaimStatus.REJECTED],
  [ClaimStatus.REJECTED]: [],
};

/**
 * Providers apply (or are registered) PENDING; only APPROVED providers appear in the public
 * catalogue. A REJECTED applicant may apply again (back to PENDING, for a new decision).
 */
export const PROVIDER_TRANSITIONS: TransitionTable<ProviderStatus> = {
  [ProviderStatus.PENDING]: [ProviderStatus.APPROVED, ProviderStatus.REJECTED],
  [ProviderStatus.REJECTED]: [ProviderStatus.PENDING],
  [ProviderStatus.APPROVED]: [ProviderStatus.SUSPENDED],
  [ProviderStatus.SUSPENDED]: [ProviderStatus.APPROVED],
};

/**
 * What each operator decision on a provider may do, on top of PROVIDER_TRANSITIONS: approving and
 * rejecting decide an application (PENDING), suspending and reinstating an approved provider's
 * standing, so a reinstatement is never taken for an approval and no decision is taken twice.
 */
export const PROVIDER_DECISIONS = {
  [ProviderDecision.APPROVE]: { from: [ProviderStatus.PENDING], to: ProviderStatus.APPROVED, action: 'PROVIDER_APPROVED' },
  [ProviderDecision.REJECT]: { from: [ProviderStatus.PENDING], to: ProviderStatus.REJECTED, action: 'PROVIDER_REJECTED' },
  [ProviderDecision.SUSPEND]: { from: [ProviderStatus.APPROVED], to: ProviderStatus.SUSPENDED, action: 'PROVIDER_SUSPENDED' },
  [ProviderDecision.REINSTATE]: { from: [ProviderStatus.SUSPENDED], to: ProviderStatus.APPROVED, action: 'PROVIDER_REINSTATED' },
} as const satisfies Record<ProviderDecision, { from: readonly ProviderStatus[]; to: ProviderStatus; action: string }>;

/**
 * A provider drafts a program and submits it; the city's operator publishes it or returns it with
 * comments, and a returned program is fixed and submitted again. A published program leaves the
 * catalogue by closing (`active: false`), never by going back to review: children are enrolled in it.
 */
export const PROGRAM_TRANSITIONS: TransitionTable<ProgramStatus> = {
  // DRAFT → PUBLISHED only for the city itself: a program an operator (or an admin) adds is reviewed by its author.
  [ProgramStatus.DRAFT]: [ProgramStatus.IN_REVIEW, ProgramStatus.PUBLISHED],
  [ProgramStatus.IN_REVIEW]: [ProgramStatus.PUBLISHED, ProgramStatus.RETURNED],
  [ProgramStatus.RETURNED]: [ProgramStatus.IN_REVIEW],
  [ProgramStatus.PUBLISHED]: [],
};

/** An operator's review decisions on a program IN_REVIEW. */
export const PROGRAM_REVIEW_DECISIONS = {
  [ProgramReviewDecision.PUBLISH]: { from: [ProgramStatus.IN_REVIEW], to: ProgramStatus.PUBLISHED, action: 'PROGRAM_PUBLISHED' },
  [ProgramReviewDecision.RETURN]: { from: [ProgramStatus.IN_REVIEW], to: ProgramStatus.RETURNED, action: 'PROGRAM_RETURNED' },
} as const satisfies Record<ProgramReviewDecision, { from: readonly ProgramStatus[]; to: ProgramStatus; action: string }>;

/**
 * An aggregate's lifecycle as moveTo() and moveAll() use it: its table, where the status lives
 * (entity property, SQL table and column), and its names in messages and in the audit log.
 */
export interface Lifecycle<S extends string, K extends string = 'status'> {
  /** In messages: "<name> cannot move from A to B." */
  name: string;
  /** The audit log's entityType for its changes. */
  entityType: string;
  table: TransitionTable<S>;
  /** The entity property holding the status. */
  field: K;
  /** The SQL table and column (for moveAll). */
  tableName: string;
  column: string;
}

const lifecycle = <S extends string>(name: string, table: TransitionTable<S>, tableName: string): Lifecycle<S> => ({
  name,
  entityType: name,
  table,
  field: 'status',
  tableName,
  column: 'status',
});

export const APPLICATION_LIFECYCLE = lifecycle('Application', APPLICATION_TRANSITIONS, 'application');
export const OFFER_LIFECYCLE = lifecycle('Offer', OFFER_TRANSITIONS, 'offer');
export const VOUCHER_LIFECYCLE = lifecycle('Voucher', VOUCHER_TRANSITIONS, 'voucher');
export const ENROLLMENT_LIFECYCLE = lifecycle('Enrollment', ENROLLMENT_TRANSITIONS, 'enrollment');
export const ATTENDANCE_LIFECYCLE = lifecycle('Attendance', ATTENDANCE_TRANSITIONS, 'attendance');
export const PAYMENT_LIFECYCLE = lifecycle('Payment', PAYMENT_TRANSITIONS, 'payment');
export const PROVIDER_LIFECYCLE = lifecycle('Provider', PROVIDER_TRANSITIONS, 'provider');
export const BANK_DETAILS_LIFECYCLE = lifecycle('BankDetails', BANK_DETAILS_TRANSITIONS, 'bank_details');
export const PROGRAM_LIFECYCLE = lifecycle('Program', PROGRAM_TRANSITIONS, 'program');
/** A family's claim to represent a child (the guardianship row's status). */
export const LINK_CLAIM_LIFECYCLE: Lifecycle<ClaimStatus> = { ...lifecycle('Link claim', CLAIM_TRANSITIONS, 'guardianship'), entityType: 'ChildLink' };
/** The priority category declared on the same claim, decided on its own. */
export const CATEGORY_CLAIM_LIFECYCLE: Lifecycle<ClaimStatus, 'categoryStatus'> = {
  name: 'Priority category claim',
  entityType: 'PriorityCategoryClaim',
  table: CLAIM_TRANSITIONS,
  field: 'categoryStatus',
  tableName: 'guardianship',
  column: 'category_status',
};
