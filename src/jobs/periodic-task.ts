import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';

/**
 * Runs `run` at once and then `intervalMs` after each run ends (never two at a time), logging a
 * failure and going on; `stop()` waits for a run in progress, so shutdown never cuts one in half.
 * Each run is given the time of its tick, read from the server's clock.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly what: string,
    private readonly intervalMs: number,
    private readonly log: Logger,
    private readonly run: (now: Date) => Promise<unknown>,
    private readonly clock: Clock,
  ) {}

  start(): void {
    this.stopped = false;
    const tick = async () => {
      this.running = this.run(this.clock()).catch((err) => this.log.error({ err }, `${this.what} failed`));
      await this.running;
      if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs).unref();
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
