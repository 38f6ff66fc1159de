import { describe, expect, it } from 'vitest';
import { ClaimStatus, ProviderStatus, VoucherStatus } from '../../src/domain/enums.js';
import { canTransition, transition } from '../../src/domain/lifecycle.js';
import { CLAIM_TRANSITIONS, VOUCHER_OPERATOR_ACTIONS, VOUCHER_TRANSITIONS } from '../../src/domain/lifecycles.js';
import { PROVIDER_TRANSITIONS } from '../../src/domain/lifecycles.js';
import { DomainError } from '../../src/errors.js';

describe('provider lifecycle', () => {
  it.each([
    [ProviderStatus.PENDING, ProviderStatus.APPROVED],
    [ProviderStatus.APPROVED, ProviderStatus.SUSPENDED],
    [ProviderStatus.SUSPENDED, ProviderStatus.APPROVED],
  ])('allows %s → %s', (from, to) => {
    expect(transition(PROVIDER_TRANSITIONS, 'Provider', from, to)).toBe(to);
  });

  it.each([
    [ProviderStatus.PENDING, ProviderStatus.SUSPENDED],
    [ProviderStatus.APPROVED, ProviderStatus.APPROVED],
    [ProviderStatus.APPROVED, ProviderStatus.PENDING],
    [ProviderStatus.SUSPENDED, ProviderStatus.PENDING],
  ])('refuses %s → %s with CONFLICT', (from, to) => {
    expect(canTransition(PROVIDER_TRANSITIONS, from, to)).toBe(false);
    try {
      transition(PROVIDER_TRANSITIONS, 'Provider', from, to);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).extensions).toEqual({ code: 'CONFLICT', from, to });
      expect((err as DomainError).message).toBe(`Provider cannot move from ${from} to ${to}.`);
    }
  });
});

describe('claim lifecycle (parent–child links and priority categories)', () => {
  it.each([
    [ClaimStatus.CLAIMED, ClaimStatus.VERIFIED],
    [ClaimStatus.CLAIMED, ClaimStatus.REJECTED],
    // A verified link is rejected when an operator verifies another family's claim on the child.
    [ClaimStatus.VERIFIED, ClaimStatus.REJECTED],
  ])('allows %s → %s', (from, to) => {
    expect(transition(CLAIM_TRANSITIONS, 'Link claim', from, to)).toBe(to);
  });

  it.each([
    [ClaimStatus.REJECTED, ClaimStatus.VERIFIED],
    [ClaimStatus.REJECTED, ClaimStatus.CLAIMED],
    [ClaimStatus.VERIFIED, ClaimStatus.CLAIMED],
    [ClaimStatus.VERIFIED, ClaimStatus.VERIFIED],
  ])('refuses %s → %s', (from, to) => {
    expect(canTransition(CLAIM_TRANSITIONS, from, to)).toBe(false);
    expect(() => transition(CLAIM_TRANSITIONS, 'Link claim', from, to)).toThrow(`Link claim cannot move from ${from} to ${to}.`);
  });
});

describe("an operator's voucher actions", () => {
  it('move only the statuses they mean, each a move of the voucher lifecycle', () => {
    expect(VOUCHER_OPERATOR_ACTIONS).toEqual({
      SUSPENDED: { from: [VoucherStatus.ACTIVE], to: VoucherStatus.SUSPENDED },
      REINSTATED: { from: [VoucherStatus.SUSPENDED], to: VoucherStatus.ACTIVE },
      REVOKED: { from: [VoucherStatus.ACTIVE, VoucherStatus.SUSPENDED], to: VoucherStatus.REVOKED },
    });
    for (const { from, to } of Object.values(VOUCHER_OPERATOR_ACTIONS)) for (const status of from) expect(canTransition(VOUCHER_TRANSITIONS, status, to)).toBe(true);
  });

  it('never touch a RESERVED voucher, though the lifecycle lets an accepted offer take it to ACTIVE', () => {
    expect(canTransition(VOUCHER_TRANSITIONS, VoucherStatus.RESERVED, VoucherStatus.ACTIVE)).toBe(true);
    expect(Object.values(VOUCHER_OPERATOR_ACTIONS).some(({ from }) => (from as readonly VoucherStatus[]).includes(VoucherStatus.RESERVED))).toBe(false);
  });
});
