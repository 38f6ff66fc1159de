import { registerEnumType } from 'type-graphql';
import {
  ApplicationStatus,
  AttendanceStatus,
  PaymentStatus,
  Direction,
  EnrollmentStatus,
  LapsePolicy,
  OfferStatus,
  VoucherStatus,
  Language,
  PriorityCategory,
  ProgramReviewDecision,
  ProgramStatus,
  ProviderDecision,
  ProviderKind,
  ProviderStatus,
  Relationship,
  Role,
  Sex,
  TeachingLanguage,
  VoucherType,
} from '../domain/enums.js';

registerEnumType(VoucherType, {
  name: 'VoucherType',
  description: 'TARGETED vouchers are for clubs in schools and state institutions; UNIVERSAL vouchers for any approved provider.',
  valuesConfig: {
    TARGETED: { description: 'Kazakh "мақсатты", Russian "целевой": school and state-institution clubs only.' },
    UNIVERSAL: { description: 'Kazakh "әмбебап": any approved provider, chosen on the platform.' },
  },
});
registerEnumType(ProviderKind, {
  name: 'ProviderKind',
  description: 'The legal kind of a provider; it decides which voucher types its programs accept.',
});
registerEnumType(ProviderStatus, {
  name: 'ProviderStatus',
  description: 'PENDING until the city’s education department approves; only APPROVED providers are in the public catalogue.',
  valuesConfig: {
    PENDING: { description: 'Applied (or registered) and waiting for the city’s decision.' },
    APPROVED: { description: 'In the programme: its published programs are in the catalogue and it is paid for confirmed sessions.' },
    REJECTED: { description: 'The city turned the application down (the reason is on the provider’s application); it may apply again.' },
    SUSPENDED: { description: 'Out of the catalogue and records no sessions until reinstated.' },
  },
});
registerEnumType(ProgramStatus, {
  name: 'ProgramStatus',
  description: 'Where a program is in the city’s review. Only PUBLISHED programs (of approved providers) are in the catalogue and take children.',
  valuesConfig: {
    DRAFT: { description: 'Being written by the provider; nobody else sees it but the city’s operators.' },
    IN_REVIEW: { description: 'Submitted; waiting for an operator of the city.' },
    PUBLISHED: { description: 'In the public catalogue.' },
    RETURNED: { description: 'Sent back with the operator’s comments (`reviewComment`); the provider fixes it and submits again.' },
  },
});
registerEnumType(ProviderDecision, {
  name: 'ProviderDecision',
  description: 'An operator’s decision on a provider; each needs a reason and is in the audit log.',
  valuesConfig: {
    APPROVE: { description: 'PENDING → APPROVED: the application is accepted.' },
    REJECT: { description: 'PENDING → REJECTED: the application is turned down.' },
    SUSPEND: { description: 'APPROVED → SUSPENDED.' },
    REINSTATE: { description: 'SUSPENDED → APPROVED.' },
  },
});
registerEnumType(ProgramReviewDecision, {
  name: 'ProgramReviewDecision',
  description: 'An operator’s decision on a program IN_REVIEW.',
  valuesConfig: {
    PUBLISH: { description: 'IN_REVIEW → PUBLISHED.' },
    RETURN: { description: 'IN_REVIEW → RETURNED, with comments the provider reads.' },
  },
});
registerEnumType(Direction, { name: 'Direction', description: 'The direction of a club. More may be added.' });
registerEnumType(Language, { name: 'Language', description: 'A language an applicant receives SMS and notices in.' });
registerEnumType(TeachingLanguage, { name: 'TeachingLanguage', description: 'The language a program is taught in.' });
registerEnumType(Relationship, { name: 'Relationship', description: 'How an applicant is related to the child they represent.' });
registerEnumType(PriorityCategory, {
  name: 'PriorityCategory',
  description: 'A priority category declared for a child. Their order in the queue is set by each city’s rules; NONE comes last.',
});
registerEnumType(Sex, { name: 'Sex', description: 'As encoded in the IIN.' });
registerEnumType(Role, { name: 'Role', description: 'What a caller may do. Anonymous callers are PUBLIC.' });

registerEnumType(ApplicationStatus, {
  name: 'ApplicationStatus',
  description: 'QUEUED (waiting) → OFFERED → ACCEPTED, or back to QUEUED / CANCELLED when an offer is declined or lapses; QUEUED → WITHDRAWN.',
});
registerEnumType(OfferStatus, { name: 'OfferStatus', description: 'PENDING until the parent accepts or declines, or the deadline passes (EXPIRED).' });
registerEnumType(VoucherStatus, {
  name: 'VoucherStatus',
  description: 'RESERVED for an offer → ACTIVE once enrolled ⇄ SUSPENDED → CLOSED or REVOKED; a reserved voucher whose offer lapses is RELEASED to the quota.',
});
registerEnumType(EnrollmentStatus, { name: 'EnrollmentStatus', description: 'ACTIVE, then TRANSFERRED (switched to another program) or ENDED.' });
registerEnumType(LapsePolicy, {
  name: 'LapsePolicy',
  description: 'What a declined or expired offer does to its application.',
  valuesConfig: {
    REQUEUE: { description: 'Back to the queue in the same place (its original submission time).' },
    CANCEL: { description: 'Out of the queue; the parent or operator may restore it within the city’s restore window.' },
  },
});

registerEnumType(AttendanceStatus, {
  name: 'AttendanceStatus',
  description: 'RECORDED by the provider → CONFIRMED or DISPUTED by the parent; UNCONFIRMED once the window passes. Only CONFIRMED sessions are paid.',
});
registerEnumType(PaymentStatus, { name: 'PaymentStatus', description: 'CALCULATED by settlement → APPROVED → PAID (with a bank reference) or FAILED.' });
