// Domain enums shared by entities, services and the GraphQL schema (registered in src/schema/enums.ts).

export enum VoucherType {
  TARGETED = 'TARGETED',
  UNIVERSAL = 'UNIVERSAL',
}

export enum ProviderKind {
  SCHOOL = 'SCHOOL',
  STATE_INSTITUTION = 'STATE_INSTITUTION',
  PRIVATE = 'PRIVATE',
}

export enum ProviderStatus {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  /** The city turned the application down (with a reason); the provider may apply again. */
  REJECTED = 'REJECTED',
  SUSPENDED = 'SUSPENDED',
}

/** Where a program is in the city's review: only PUBLISHED programs are in the public catalogue. */
export enum ProgramStatus {
  DRAFT = 'DRAFT',
  IN_REVIEW = 'IN_REVIEW',
  PUBLISHED = 'PUBLISHED',
  RETURNED = 'RETURNED',
}

/** An operator's decision on a provider: on an application, or on an approved provider's standing. */
export enum ProviderDecision {
  APPROVE = 'APPROVE',
  REJECT = 'REJECT',
  SUSPEND = 'SUSPEND',
  REINSTATE = 'REINSTATE',
}

/** An operator's decision on a program in review. */
export enum ProgramReviewDecision {
  PUBLISH = 'PUBLISH',
  RETURN = 'RETURN',
}

export enum Direction {
  EDUCATIONAL = 'EDUCATIONAL',
  CREATIVE = 'CREATIVE',
  SPORTS = 'SPORTS',
}

export enum Language {
  KK = 'KK',
  RU = 'RU',
}

/** The language a program is taught in; bilingual groups are common. */
export enum TeachingLanguage {
  KK = 'KK',
  RU = 'RU',
  KK_RU = 'KK_RU',
  EN = 'EN',
}

export enum Relationship {
  MOTHER = 'MOTHER',
  FATHER = 'FATHER',
  GUARDIAN = 'GUARDIAN',
  TRUSTEE = 'TRUSTEE',
  FOSTER_PARENT = 'FOSTER_PARENT',
}

/**
 * Priority categories seen in comparable queues (DESIGN §6). Their order is a per-city rule
 * (issue 3); NONE always comes last.
 */
export enum PriorityCategory {
  NONE = 'NONE',
  ORPHAN = 'ORPHAN',
  DISABILITY = 'DISABILITY',
  LARGE_FAMILY = 'LARGE_FAMILY',
  LOW_INCOME = 'LOW_INCOME',
  SINGLE_PARENT = 'SINGLE_PARENT',
  MILITARY_FAMILY = 'MILITARY_FAMILY',
}

export enum Sex {
  MALE = 'MALE',
  FEMALE = 'FEMALE',
}

export enum Role {
  PUBLIC = 'PUBLIC',
  PARENT = 'PARENT',
  PROVIDER = 'PROVIDER',
  OPERATOR = 'OPERATOR',
  AGENCY = 'AGENCY',
  ADMIN = 'ADMIN',
}

export enum ApplicationStatus {
  QUEUED = 'QUEUED',
  OFFERED = 'OFFERED',
  ACCEPTED = 'ACCEPTED',
  WITHDRAWN = 'WITHDRAWN',
  CANCELLED = 'CANCELLED',
}

export enum OfferStatus {
  PENDING = 'PENDING',
  ACCEPTED = 'ACCEPTED',
  DECLINED = 'DECLINED',
  EXPIRED = 'EXPIRED',
}

export enum VoucherStatus {
  /** Held for an offer; counts against the quota until accepted or released. */
  RESERVED = 'RESERVED',
  ACTIVE = 'ACTIVE',
  SUSPENDED = 'SUSPENDED',
  CLOSED = 'CLOSED',
  REVOKED = 'REVOKED',
  /** The offer lapsed or was declined: the voucher went back to the quota. Kept for history. */
  RELEASED = 'RELEASED',
}

export enum EnrollmentStatus {
  ACTIVE = 'ACTIVE',
  TRANSFERRED = 'TRANSFERRED',
  ENDED = 'ENDED',
}

/** What happens to an application whose offer is declined or lapses (a per-city rule). */
export enum LapsePolicy {
  /** Back to the queue in the same place (original submission time). */
  REQUEUE = 'REQUEUE',
  /** Out of the queue; restorable once within the city's restore window. */
  CANCEL = 'CANCEL',
}

export enum NotificationKind {
  OFFER_MADE = 'OFFER_MADE',
  OFFER_EXPIRING = 'OFFER_EXPIRING',
  OFFER_EXPIRED = 'OFFER_EXPIRED',
  ENROLLED = 'ENROLLED',
}

export enum NotificationStatus {
  PENDING = 'PENDING',
  SENT = 'SENT',
  FAILED = 'FAILED',
}

export enum AttendanceStatus {
  /** Recorded by the provider; waits for the parent. */
  RECORDED = 'RECORDED',
  CONFIRMED = 'CONFIRMED',
  DISPUTED = 'DISPUTED',
  /** The confirmation window passed without an answer: never paid. */
  UNCONFIRMED = 'UNCONFIRMED',
}

/** The checks a timesheet's sessions go through; each city's rules say whether a failure is refused or flagged. */
export enum TimesheetCheck {
  /** The session falls on one of the city's holidays. */
  HOLIDAY = 'HOLIDAY',
  /** The program has no weekly slot on the session's weekday. */
  OFF_SCHEDULE = 'OFF_SCHEDULE',
  /** More minutes than the program's slots of that weekday last. */
  OVER_SLOT = 'OVER_SLOT',
  /** The child has a session at another provider the same day at an overlapping time. */
  OVERLAP = 'OVERLAP',
  /** The voucher, the provider or the program was suspended on the day. */
  SUSPENDED = 'SUSPENDED',
}

/** What a failed timesheet check does. */
export enum CheckAction {
  /** The whole sheet is refused (BAD_USER_INPUT naming the line); nothing is written. */
  REFUSE = 'REFUSE',
  /** The session is recorded but flagged: held from settlement until the operator clears it. */
  FLAG = 'FLAG',
}

export enum PaymentStatus {
  CALCULATED = 'CALCULATED',
  APPROVED = 'APPROVED',
  PAID = 'PAID',
  FAILED = 'FAILED',
}

/** A provider's bank details: proposed by the provider, confirmed or rejected by its city's operator. */
export enum BankDetailsStatus {
  PROPOSED = 'PROPOSED',
  CONFIRMED = 'CONFIRMED',
  REJECTED = 'REJECTED',
  /** Replaced: a confirmed set by a newer confirmed one, a proposal by a newer proposal. */
  SUPERSEDED = 'SUPERSEDED',
}

/**
 * A claim that still has to be proven: the link between a parent and a child, or a child's
 * priority category. Only a VERIFIED claim counts (issue 10 §3).
 */
export enum ClaimStatus {
  CLAIMED = 'CLAIMED',
  VERIFIED = 'VERIFIED',
  REJECTED = 'REJECTED',
}
