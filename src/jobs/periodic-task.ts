import type { Logger } from '../logger.js';

/**
 * Runs `run` at once and then `intervalMs` after each run ends (never two at a time), logging a
 * failure and going on; `stop()` waits for a run in progress, so shutdown never cuts one in half.
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
  ) {}

  start(): void {
    this.stopped = false;
    const tick = async () => {
      this.running = this.run(new Date()).catch((err) => this.log.error({ err }, `${this.what} failed`));
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
