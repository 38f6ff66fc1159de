import { ProviderStatus } from './enums.js';
import type { TransitionTable } from './lifecycle.js';

/** Providers are registered PENDING; only APPROVED providers appear in the public catalogue. */
export const PROVIDER_TRANSITIONS: TransitionTable<ProviderStatus> = {
  [ProviderStatus.PENDING]: [ProviderStatus.APPROVED],
  [ProviderStatus.APPROVED]: [ProviderStatus.SUSPENDED],
  [ProviderStatus.SUSPENDED]: [ProviderStatus.APPROVED],
};
