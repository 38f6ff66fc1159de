// Asks the population registry about claims and records its answers. Right after a registration
// (so the embedded start's demo adapter links a child at once), and in the background for every
// claim whose registry call failed: a registry outage never loses a claim, it only delays it.
import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import type { Clock } from '../clock.js';
import { ClaimStatus } from '../domain/enums.js';
import type { Orm } from '../db/orm.js';
import { Guardianship } from '../entities/index.js';
import type { Logger } from '../logger.js';
import { applyRegistryReply, lockChildForCategory, nextRegistryAttempt } from '../services/claims.js';
import type { IdentityRegistry, RegistryReply } from './registry.js';
import { PeriodicTask } from '../jobs/periodic-task.js';

export type VerifyOutcome = 'answered' | 'failed' | 'skipped';

/** Claims asked about per pass; links that predate verification drain at this rate per JOBS_INTERVAL_MS. */
const BATCH = 200;

/**
 * Asks the registry about one claim and records the answer in its own transaction. The registry
 * call happens outside any transaction (it may take seconds); the claim is re-read under a row lock
 * afterwards, and an answer that arrives after someone else decided the claim is dropped.
 */
export async function verifyClaim(em: EntityManager, registry: IdentityRegistry, claimId: string, now: Date): Promise<VerifyOutcome> {
  const claim = await em.fork().findOne(Guardianship, { id: claimId }, { populate: ['child', 'applicant'] });
  if (!claim || !awaitsRegistry(claim)) return 'skipped';
  let reply: RegistryReply;
  try {
    reply = await registry.check({
      parentIin: claim.applicant.getEntity().iin,
      childIin: claim.child.getEntity().iin,
      relationship: claim.relationship,
      priorityCategory: claim.categoryStatus === ClaimStatus.CLAIMED ? claim.claimedCategory : null,
    });
  } catch (err) {
    await em.fork().transactional(async (tx) => {
      const locked = await tx.findOne(Guardianship, { id: claimId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!locked || !awaitsRegistry(locked)) return;
      locked.registryAttempts += 1;
      locked.registryDueAt = nextRegistryAttempt(locked.registryAttempts, now);
    });
    throw err;
  }
  return em.fork().transactional(async (tx) => {
    // A category answer re-ranks the child's places: the queue and child locks first (locks.ts order).
    if (reply.priorityCategory != null && claim.categoryStatus === ClaimStatus.CLAIMED) await lockChildForCategory(tx, claim.child.id);
    const locked = await tx.findOne(Guardianship, { id: claimId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!locked || !awaitsRegistry(locked)) return 'skipped';
    await applyRegistryReply(tx, locked, reply, now);
    return 'answered';
  });
}

function awaitsRegistry(claim: Guardianship): boolean {
  return claim.registryDueAt !== null && (claim.status === ClaimStatus.CLAIMED || claim.categoryStatus === ClaimStatus.CLAIMED);
}

/**
 * The background half: every JOBS_INTERVAL_MS, the claims whose registry call is due (failed
 * before, or never made — e.g. links that existed before verification did) are asked about again.
 */
export class ClaimVerifier {
  private readonly task: PeriodicTask;

  constructor(
    private readonly orm: Orm,
    private readonly registry: IdentityRegistry,
    private readonly log: Logger,
    intervalMs: number,
    clock: Clock,
  ) {
    this.task = new PeriodicTask('verifying claims', intervalMs, log, (now) => this.runOnce(now), clock);
  }

  start(): void {
    this.task.start();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  /** One pass over the due claims (at most a batch); exposed for tests. */
  async runOnce(now: Date, scope: { claimIds?: string[] } = {}): Promise<{ answered: number; failed: number }> {
    const em = this.orm.em.fork();
    const due = await em.find(
      Guardianship,
      {
        registryDueAt: { $lte: now },
        $or: [{ status: ClaimStatus.CLAIMED }, { categoryStatus: ClaimStatus.CLAIMED }],
        ...(scope.claimIds ? { id: { $in: scope.claimIds } } : {}),
      },
      { fields: ['id'], orderBy: { registryDueAt: 'asc' }, limit: BATCH },
    );
    const counts = { answered: 0, failed: 0 };
    for (const { id } of due) {
      try {
        if ((await verifyClaim(em, this.registry, id, now)) === 'answered') counts.answered++;
      } catch (err) {
        counts.failed++;
        this.log.warn({ claimId: id, err: (err as Error).message }, 'population registry unavailable; the claim is asked about again later');
      }
    }
    return counts;
  }
}
