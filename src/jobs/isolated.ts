/** One item a scheduled job could not process this tick (it is tried again on the next). */
export interface JobFailure {
  /** The job, e.g. "expire-offers". */
  job: string;
  /** What failed, e.g. "Offer 0193…" or "Queue ASTANA TARGETED". */
  item: string;
  /** Why: the error's message. */
  error: string;
}

/**
 * Runs one item of a job (in its own transaction, which `work` opens). A failure is recorded in
 * `failures` and swallowed, so one bad row never stops a job for everyone else; the caller goes
 * on with the next item. Returns undefined for a failed item.
 */
export async function isolated<T>(failures: JobFailure[], job: string, item: string, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (err) {
    failures.push({ job, item, error: err instanceof Error ? err.message : String(err) });
    return undefined;
  }
}
