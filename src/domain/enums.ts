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
  SUSPENDED = 'SUSPENDED',
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
