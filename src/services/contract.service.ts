import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../clock.js';
import { ContractTerms } from '../entities/index.js';
import { badInput, conflict } from '../errors.js';

/** What a parent states when enrolling a child: the offer-contract accepted, the personal-data consent given. */
export interface ContractAcceptance {
  acceptTerms: boolean;
  personalDataConsent: boolean;
  /** The version the parent read; when given, it must be the one in force. */
  termsVersion?: number | null;
}

/** The programme's standard offer-contract and consent, versioned. Public: anyone may read the terms. */
export class ContractService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
  ) {}

  current(): Promise<ContractTerms> {
    return termsInForce(this.em, this.clock());
  }
}

/** The latest version in force at `at` (migrations publish at least version 1). */
export async function termsInForce(em: EntityManager, at: Date): Promise<ContractTerms> {
  const terms = await em.findOne(ContractTerms, { effectiveFrom: { $lte: at } }, { orderBy: { version: 'desc' } });
  if (!terms) throw new Error('No contract terms are in force: the migrations publish version 1.');
  return terms;
}

/** Checks what needs no database: both boxes ticked. Before any lock, so a refusal writes nothing. */
export function requireAcceptance(acceptance: ContractAcceptance): void {
  if (acceptance.acceptTerms !== true) throw badInput('input.acceptTerms', 'Enrolling needs the programme’s standard terms accepted (acceptTerms: true); read them in contractTerms.');
  if (acceptance.personalDataConsent !== true) throw badInput('input.personalDataConsent', 'Enrolling needs consent to the processing of the child’s personal data (personalDataConsent: true).');
}

/** The terms the acceptance binds, at the instant of enrolling: CONFLICT if the parent read another version. */
export async function acceptedTerms(em: EntityManager, acceptance: ContractAcceptance, at: Date): Promise<ContractTerms> {
  const terms = await termsInForce(em, at);
  if (acceptance.termsVersion != null && acceptance.termsVersion !== terms.version) {
    throw conflict(`Version ${acceptance.termsVersion} of the terms is not the one in force (${terms.version}); read the current terms and accept them.`, { termsVersion: terms.version });
  }
  return terms;
}
