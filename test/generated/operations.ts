/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** Accept an offer by choosing a program. */
export type AcceptOfferInput = {
  /** Must be true: the parent accepts the programme’s standard offer-contract (`contractTerms`) for this enrollment. */
  acceptTerms: boolean;
  /** The offer. */
  offerId: string | number;
  /** Must be true: the parent consents to the processing of the child’s personal data (the consent text of the same terms). */
  personalDataConsent: boolean;
  /** The program: it must be published, accept the voucher type, fit the child’s age, be in the voucher’s city and have a free place. */
  programId: string | number;
  /** The version of the terms the parent read; when given and no longer in force, CONFLICT (with `extensions.termsVersion`, the current one). */
  termsVersion?: number | null | undefined;
};

/** QUEUED (waiting) → OFFERED → ACCEPTED, or back to QUEUED / CANCELLED when an offer is declined or lapses; QUEUED → WITHDRAWN. */
export type ApplicationStatus =
  | 'ACCEPTED'
  | 'CANCELLED'
  | 'OFFERED'
  | 'QUEUED'
  | 'WITHDRAWN';

/** Apply for a voucher for a child registered to you. */
export type ApplyForVoucherInput = {
  /** The child (from myChildren). */
  childId: string | number;
  /** City code of the queue, e.g. "ASTANA". */
  city: string;
  /** TARGETED or UNIVERSAL. */
  voucherType: VoucherType;
};

/** RECORDED by the provider → CONFIRMED or DISPUTED by the parent; UNCONFIRMED once the window passes. Only CONFIRMED sessions are paid. */
export type AttendanceStatus =
  | 'CONFIRMED'
  | 'DISPUTED'
  | 'RECORDED'
  | 'UNCONFIRMED';

/** Confirm sessions of your children (PARENT). Confirming again changes nothing. */
export type ConfirmAttendanceInput = {
  /** The sessions. */
  attendanceIds: Array<string | number>;
  /** Client-chosen key: a retry with the same key returns the first result. */
  idempotencyKey?: string | null | undefined;
};

/** The direction of a club. More may be added. */
export type Direction =
  | 'CREATIVE'
  | 'EDUCATIONAL'
  | 'SPORTS';

/** Offer vouchers to the head of a queue (OPERATOR of the city or ADMIN). */
export type IssueVouchersInput = {
  /** City code. */
  city: string;
  /** How many offers to make (1–5000); fewer if the queue or the quota runs out. */
  count: number;
  /** Quota year, "YYYY"; defaults to the current year in the city. */
  period?: string | null | undefined;
  /** Which queue. */
  voucherType: VoucherType;
};

/** PENDING until the parent accepts or declines, or the deadline passes (EXPIRED). */
export type OfferStatus =
  | 'ACCEPTED'
  | 'DECLINED'
  | 'EXPIRED'
  | 'PENDING';

/** CALCULATED by settlement → APPROVED → PAID (with a bank reference) or FAILED. */
export type PaymentStatus =
  | 'APPROVED'
  | 'CALCULATED'
  | 'FAILED'
  | 'PAID';

/** Narrows the catalogue; all given fields must match. */
export type ProgramFilter = {
  /** Only programs whose age range includes this age (0–18). */
  childAge?: number | null | undefined;
  /** City code, e.g. "ASTANA". */
  city?: string | null | undefined;
  /** Only programs of this direction. */
  direction?: Direction | null | undefined;
  /** true: only programs with a free place; false: only full ones. */
  hasFreeSeats?: boolean | null | undefined;
  /** Only programs taught in this language. */
  language?: TeachingLanguage | null | undefined;
  /** Only this provider’s programs. */
  providerId?: string | number | null | undefined;
  /** Only programs of providers of this kind. */
  providerKind?: ProviderKind | null | undefined;
  /** Staff: only programs in this review status, e.g. IN_REVIEW for an operator’s review list. The public sees PUBLISHED programs only. */
  status?: ProgramStatus | null | undefined;
  /** Only programs that accept this voucher type. */
  voucherType?: VoucherType | null | undefined;
};

/** Where a program is in the city’s review. Only PUBLISHED programs (of approved providers) are in the catalogue and take children. */
export type ProgramStatus =
  /** Being written by the provider; nobody else sees it but the city’s operators. */
  | 'DRAFT'
  /** Submitted; waiting for an operator of the city. */
  | 'IN_REVIEW'
  /** In the public catalogue. */
  | 'PUBLISHED'
  /** Sent back with the operator’s comments (`reviewComment`); the provider fixes it and submits again. */
  | 'RETURNED';

/** The legal kind of a provider; it decides which voucher types its programs accept. */
export type ProviderKind =
  | 'PRIVATE'
  | 'SCHOOL'
  | 'STATE_INSTITUTION';

/** Record one session of a program for the children present (PROVIDER, own programs). */
export type RecordAttendanceInput = {
  /** Children present; each must have been enrolled in the program on that date. */
  childIds: Array<string | number>;
  /** The session’s date (not in the future). */
  date: string;
  /** Length in hours, in quarter hours (e.g. 1.5). */
  hours: number;
  /** The program. */
  programId: string | number;
};

/** Settle a city’s month (OPERATOR of the city or ADMIN). Safe to repeat. */
export type SettlePeriodInput = {
  /** City code. */
  city: string;
  /** Client-chosen key: a retry with the same key returns the first result. */
  idempotencyKey?: string | null | undefined;
  /** Month, "YYYY-MM"; may still be running (what is confirmed so far is paid). */
  period: string;
};

/** Move a child to another program on the same voucher, without a new application. */
export type SwitchProgramInput = {
  /** Must be true: a new enrollment is a new offer-contract, on the programme’s standard terms (`contractTerms`). */
  acceptTerms: boolean;
  /** The child’s active enrollment. */
  enrollmentId: string | number;
  /** Must be true: consent to the processing of the child’s personal data by the new provider. */
  personalDataConsent: boolean;
  /** The new program (same checks as when accepting an offer). */
  programId: string | number;
  /** The version of the terms the parent read; when given and no longer in force, CONFLICT. */
  termsVersion?: number | null | undefined;
};

/** The language a program is taught in. */
export type TeachingLanguage =
  | 'EN'
  | 'KK'
  | 'KK_RU'
  | 'RU';

/** TARGETED vouchers are for clubs in schools and state institutions; UNIVERSAL vouchers for any approved provider. */
export type VoucherType =
  /** Kazakh "мақсатты", Russian "целевой": school and state-institution clubs only. */
  | 'TARGETED'
  /** Kazakh "әмбебап": any approved provider, chosen on the platform. */
  | 'UNIVERSAL';

export type CitiesQueryVariables = Exact<{ [key: string]: never; }>;


export type CitiesQuery = { cities: Array<{ code: string, timezone: string, name: { kk: string, ru: string, en: string | null } }> };

export type ProgramsQueryVariables = Exact<{
  filter?: ProgramFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ProgramsQuery = { programs: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, direction: Direction, minAge: number, maxAge: number, freeSeats: number, acceptsVoucherTypes: Array<VoucherType>, title: { kk: string, ru: string }, provider: { id: string, name: string, kind: ProviderKind }, city: { code: string } } }> } };

export type ApplyForVoucherMutationVariables = Exact<{
  input: ApplyForVoucherInput;
}>;


export type ApplyForVoucherMutation = { applyForVoucher: { application: { id: string, status: ApplicationStatus, position: number | null } } };

export type IssueVouchersMutationVariables = Exact<{
  input: IssueVouchersInput;
}>;


export type IssueVouchersMutation = { issueVouchers: { offers: Array<{ id: string, status: OfferStatus, application: { id: string } }> } };

export type AcceptOfferMutationVariables = Exact<{
  input: AcceptOfferInput;
}>;


export type AcceptOfferMutation = { acceptOffer: { enrollment: { id: string, voucher: { id: string } } } };

export type SwitchProgramMutationVariables = Exact<{
  input: SwitchProgramInput;
}>;


export type SwitchProgramMutation = { switchProgram: { enrollment: { id: string } } };

export type RecordAttendanceMutationVariables = Exact<{
  input: RecordAttendanceInput;
}>;


export type RecordAttendanceMutation = { recordAttendance: { attendances: Array<{ id: string, sessionDate: string, status: AttendanceStatus, minutes: number }> } };

export type ConfirmAttendanceMutationVariables = Exact<{
  input: ConfirmAttendanceInput;
}>;


export type ConfirmAttendanceMutation = { confirmAttendance: { attendances: Array<{ id: string, status: AttendanceStatus }> } };

export type SettlePeriodMutationVariables = Exact<{
  input: SettlePeriodInput;
}>;


export type SettlePeriodMutation = { settlePeriod: { created: number, budgetLimited: boolean, payments: Array<{ id: string, sequence: number, status: PaymentStatus, amount: { tiyn: number, currency: string }, provider: { id: string } }> } };

export type PaymentLinesQueryVariables = Exact<{
  id: string | number;
}>;


export type PaymentLinesQuery = { payment: { lines: Array<{ confirmedMinutes: number, paidMinutes: number, heldSessions: number, amount: { tiyn: number }, ratePerHour: { tiyn: number }, enrollment: { id: string }, attendances: Array<{ sessionDate: string }> }> } | null };
