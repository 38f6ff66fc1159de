import { describe, expect, it } from 'vitest';
import { ProviderStatus } from '../../src/domain/enums.js';
import { canTransition, transition } from '../../src/domain/lifecycle.js';
import { PROVIDER_TRANSITIONS } from '../../src/domain/provider-status.js';
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
