// Every transition table, every (from, to) pair: a move is allowed exactly when the lifecycle below
// lists it, a refused one is a CONFLICT naming both statuses, terminal statuses have no way out,
// and every status of the enum is a key of its table. The expected moves are written out here on
// purpose (not read from the tables): changing a lifecycle means changing this spec too.
import { describe, expect, it } from 'vitest';
import {
  ApplicationStatus,
  AttendanceStatus,
  BankDetailsStatus,
  ClaimStatus,
  EnrollmentStatus,
  OfferStatus,
  PaymentStatus,
  ProgramStatus,
  ProviderStatus,
  VoucherStatus,
} from '../../src/domain/enums.js';
import { canTransition, transition, type TransitionTable } from '../../src/domain/lifecycle.js';
import {
  APPLICATION_TRANSITIONS,
  ATTENDANCE_TRANSITIONS,
  BANK_DETAILS_TRANSITIONS,
  CLAIM_TRANSITIONS,
  ENROLLMENT_TRANSITIONS,
  OFFER_TRANSITIONS,
  PAYMENT_TRANSITIONS,
  PROGRAM_REVIEW_DECISIONS,
  PROGRAM_TRANSITIONS,
  PROVIDER_DECISIONS,
  PROVIDER_TRANSITIONS,
  VOUCHER_TRANSITIONS,
} from '../../src/domain/lifecycles.js';
import { DomainError } from '../../src/errors.js';

interface Lifecycle {
  name: string;
  table: TransitionTable<string>;
  statuses: Record<string, string>;
  /** The allowed moves, "FROM → TO". */
  moves: string[];
  /** Statuses with no way out. */
  terminal: string[];
}

const LIFECYCLES: Lifecycle[] = [
  {
    name: 'Application',
    table: APPLICATION_TRANSITIONS,
    statuses: ApplicationStatus,
    moves: ['QUEUED → OFFERED', 'QUEUED → WITHDRAWN', 'QUEUED → CANCELLED', 'OFFERED → ACCEPTED', 'OFFERED → QUEUED', 'OFFERED → CANCELLED', 'CANCELLED → QUEUED'],
    terminal: ['ACCEPTED', 'WITHDRAWN'],
  },
  {
    name: 'Offer',
    table: OFFER_TRANSITIONS,
    statuses: OfferStatus,
    moves: ['PENDING → ACCEPTED', 'PENDING → DECLINED', 'PENDING → EXPIRED'],
    terminal: ['ACCEPTED', 'DECLINED', 'EXPIRED'],
  },
  {
    name: 'Voucher',
    table: VOUCHER_TRANSITIONS,
    statuses: VoucherStatus,
    moves: ['RESERVED → ACTIVE', 'RESERVED → RELEASED', 'ACTIVE → SUSPENDED', 'ACTIVE → CLOSED', 'ACTIVE → REVOKED', 'SUSPENDED → ACTIVE', 'SUSPENDED → CLOSED', 'SUSPENDED → REVOKED'],
    terminal: ['CLOSED', 'REVOKED', 'RELEASED'],
  },
  {
    name: 'Enrollment',
    table: ENROLLMENT_TRANSITIONS,
    statuses: EnrollmentStatus,
    moves: ['ACTIVE → TRANSFERRED', 'ACTIVE → ENDED'],
    terminal: ['TRANSFERRED', 'ENDED'],
  },
  {
    name: 'Attendance',
    table: ATTENDANCE_TRANSITIONS,
    statuses: AttendanceStatus,
    moves: ['RECORDED → CONFIRMED', 'RECORDED → DISPUTED', 'RECORDED → UNCONFIRMED'],
    terminal: ['CONFIRMED', 'DISPUTED', 'UNCONFIRMED'],
  },
  {
    name: 'Payment',
    table: PAYMENT_TRANSITIONS,
    statuses: PaymentStatus,
    moves: ['CALCULATED → APPROVED', 'APPROVED → PAID', 'APPROVED → FAILED'],
    terminal: ['PAID', 'FAILED'],
  },
  {
    name: 'Claim',
    table: CLAIM_TRANSITIONS,
    statuses: ClaimStatus,
    moves: ['CLAIMED → VERIFIED', 'CLAIMED → REJECTED', 'VERIFIED → REJECTED'],
    terminal: ['REJECTED'],
  },
  {
    name: 'Provider',
    table: PROVIDER_TRANSITIONS,
    statuses: ProviderStatus,
    moves: ['PENDING → APPROVED', 'PENDING → REJECTED', 'REJECTED → PENDING', 'APPROVED → SUSPENDED', 'SUSPENDED → APPROVED'],
    terminal: [],
  },
  {
    name: 'BankDetails',
    table: BANK_DETAILS_TRANSITIONS,
    statuses: BankDetailsStatus,
    moves: ['PROPOSED → CONFIRMED', 'PROPOSED → REJECTED', 'PROPOSED → SUPERSEDED', 'CONFIRMED → SUPERSEDED'],
    terminal: ['REJECTED', 'SUPERSEDED'],
  },
  {
    name: 'Program',
    table: PROGRAM_TRANSITIONS,
    statuses: ProgramStatus,
    moves: ['DRAFT → IN_REVIEW', 'DRAFT → PUBLISHED', 'IN_REVIEW → PUBLISHED', 'IN_REVIEW → RETURNED', 'RETURNED → IN_REVIEW'],
    terminal: ['PUBLISHED'],
  },
];

describe.each(LIFECYCLES)('the $name lifecycle', ({ name, table, statuses, moves, terminal }) => {
  const all = Object.values(statuses);
  const pairs = all.flatMap((from) => all.map((to) => [from, to] as const));

  it('has every status of the enum as a key, and only those', () => {
    expect(Object.keys(table).sort()).toEqual([...all].sort());
  });

  it('lists each move once, to a status of the enum', () => {
    for (const [from, targets] of Object.entries(table)) {
      expect(new Set(targets).size, `${from}'s moves`).toBe(targets.length);
      for (const to of targets) expect(all, `${from} → ${to}`).toContain(to);
    }
  });

  it('allows exactly the listed moves', () => {
    const allowed = pairs.filter(([from, to]) => canTransition(table, from, to)).map(([from, to]) => `${from} → ${to}`);
    expect(allowed.sort()).toEqual([...moves].sort());
    for (const move of moves) {
      const [from, to] = move.split(' → ') as [string, string];
      expect(transition(table, name, from, to)).toBe(to);
    }
  });

  it('refuses every other move with a CONFLICT naming both statuses', () => {
    const refused = pairs.filter(([from, to]) => !moves.includes(`${from} → ${to}`));
    expect(refused).toHaveLength(all.length * all.length - moves.length);
    for (const [from, to] of refused) {
      let error: unknown;
      try {
        transition(table, name, from, to);
      } catch (err) {
        error = err;
      }
      expect(error, `${from} → ${to}`).toBeInstanceOf(DomainError);
      expect((error as DomainError).message).toBe(`${name} cannot move from ${from} to ${to}.`);
      expect((error as DomainError).extensions).toEqual({ code: 'CONFLICT', from, to });
    }
  });

  it('has no way out of a terminal status, and a way out of every other', () => {
    expect(all.filter((s) => table[s]!.length === 0).sort()).toEqual([...terminal].sort());
    for (const status of terminal) for (const to of all) expect(canTransition(table, status, to), `${status} → ${to}`).toBe(false);
  });
});

// The operators' decisions on providers and programs narrow their tables: each names exactly the
// statuses it may start from, and each of those moves is one its table allows.
describe('decisions on providers and programs', () => {
  it('each provider decision moves from exactly its statuses along PROVIDER_TRANSITIONS', () => {
    const moves = Object.entries(PROVIDER_DECISIONS).map(([decision, d]) => `${decision}: ${d.from.join('|')} → ${d.to} (${d.action})`);
    expect(moves).toEqual([
      'APPROVE: PENDING → APPROVED (PROVIDER_APPROVED)',
      'REJECT: PENDING → REJECTED (PROVIDER_REJECTED)',
      'SUSPEND: APPROVED → SUSPENDED (PROVIDER_SUSPENDED)',
      'REINSTATE: SUSPENDED → APPROVED (PROVIDER_REINSTATED)',
    ]);
    for (const d of Object.values(PROVIDER_DECISIONS)) for (const from of d.from) expect(canTransition(PROVIDER_TRANSITIONS, from, d.to)).toBe(true);
  });

  it('each review decision moves a program IN_REVIEW along PROGRAM_TRANSITIONS', () => {
    const moves = Object.entries(PROGRAM_REVIEW_DECISIONS).map(([decision, d]) => `${decision}: ${d.from.join('|')} → ${d.to} (${d.action})`);
    expect(moves).toEqual(['PUBLISH: IN_REVIEW → PUBLISHED (PROGRAM_PUBLISHED)', 'RETURN: IN_REVIEW → RETURNED (PROGRAM_RETURNED)']);
    for (const d of Object.values(PROGRAM_REVIEW_DECISIONS)) for (const from of d.from) expect(canTransition(PROGRAM_TRANSITIONS, from, d.to)).toBe(true);
  });
});
