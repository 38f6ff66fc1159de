/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** The direction of a club. More may be added. */
export type Direction =
  | 'CREATIVE'
  | 'EDUCATIONAL'
  | 'SPORTS';

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
