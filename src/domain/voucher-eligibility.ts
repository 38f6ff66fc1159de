import { ProviderKind, VoucherType } from './enums.js';

/**
 * Which providers accept which vouchers (article claim 5): targeted vouchers are for clubs in
 * schools and state institutions; universal vouchers are accepted by any approved provider.
 */
const KINDS_ACCEPTING: Record<VoucherType, readonly ProviderKind[]> = {
  [VoucherType.TARGETED]: [ProviderKind.SCHOOL, ProviderKind.STATE_INSTITUTION],
  [VoucherType.UNIVERSAL]: [ProviderKind.SCHOOL, ProviderKind.STATE_INSTITUTION, ProviderKind.PRIVATE],
};

export const providerKindsAccepting = (type: VoucherType): readonly ProviderKind[] => KINDS_ACCEPTING[type];

export const voucherTypesAcceptedBy = (kind: ProviderKind): VoucherType[] =>
  Object.values(VoucherType).filter((type) => KINDS_ACCEPTING[type].includes(kind));
