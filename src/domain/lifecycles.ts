// The voucher lifecycle as explicit transition tables (DESIGN §2). Nothing assigns these statuses
// except through transition(); a move not listed here is a CONFLICT.
import { ApplicationStatus, AttendanceStatus, ClaimStatus, EnrollmentStatus, OfferStatus, PaymentStatus, VoucherStatus } from './enums.js';
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
