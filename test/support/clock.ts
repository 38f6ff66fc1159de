// The server's time in a test: the real time unless the test moves it. Each TestApi has one, used
// by its services, its jobs (runJobs) and its claim verifier, so a deadline or a confirmation
// window passes by moving the clock, never by back-dating rows. A test file has its own server,
// so moving its clock moves no other file's.

export class TestClock {
  private offsetMs = 0;
  private fixed: Date | null = null;

  /** What the server reads: a fixed instant if one was set, else the real time moved by the offset. */
  readonly now = (): Date => (this.fixed ? new Date(this.fixed) : new Date(Date.now() + this.offsetMs));

  /** Stops the clock at `at` (until `advance`, `reset` or another `set`). */
  set(at: Date): void {
    this.fixed = new Date(at);
  }

  /** Moves the clock forward (or back, with a negative amount) by `ms`, stopped or running. */
  advance(ms: number): void {
    if (this.fixed) this.fixed = new Date(this.fixed.getTime() + ms);
    else this.offsetMs += ms;
  }

  advanceDays(days: number): void {
    this.advance(days * 86_400_000);
  }

  /** Back to the real time. */
  reset(): void {
    this.fixed = null;
    this.offsetMs = 0;
  }
}
