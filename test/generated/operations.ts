/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** Accept an offer by choosing a program. */
export type AcceptOfferInput = {
  /** The offer. */
  offerId: string | number;
  /** The program: it must accept the voucher type, fit the child’s age, be in the voucher’s city and have a free place. */
  programId: string | number;
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
  /** Only programs that accept this voucher type. */
  voucherType?: VoucherType | null | undefined;
};

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
  /** The child’s active enrollment. */
  enrollmentId: string | number;
  /** The new program (same checks as when accepting an offer). */
  programId: string | number;
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
