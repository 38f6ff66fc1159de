// Asks the population registry about claims in the background: every claim whose registry call
// failed, or was never made, is asked about again. A registry outage never loses a claim, it only
// delays it. Right after a registration the request's own ClaimService asks (so the embedded
// start's demo adapter links a child at once); both go through ClaimService.askRegistry.
import type { Clock } from '../clock.js';
import { ClaimStatus } from '../domain/enums.js';
import type { Orm } from '../db/orm.js';
import { Guardianship } from '../entities/index.js';
import type { Logger } from '../logger.js';
import { createServices } from '../services/index.js';
import type { IdentityRegistry } from './registry.js';
import { PeriodicTask } from '../jobs/periodic-task.js';

/** Claims asked about per pass; links that predate verification drain at this rate per JOBS_INTERVAL_MS. */
const BATCH = 200;

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
    // The claims are decided by the same services a request uses, reading the time of this pass.
    const { claims } = createServices(em, null, this.registry, () => now);
    const counts = { answered: 0, failed: 0 };
    for (const { id } of due) {
      try {
        if ((await claims.askRegistry(id)) === 'answered') counts.answered++;
      } catch (err) {
        counts.failed++;
        this.log.warn({ claimId: id, err: (err as Error).message }, 'population registry unavailable; the claim is asked about again later');
      }
    }
    return counts;
  }
}
