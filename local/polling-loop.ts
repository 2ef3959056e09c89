/**
 * What the local pollers share: a loop that calls `pollOnce()`, reports a failed poll through
 * `pollFailed()` and goes on, and waits `pollIntervalMs` between polls. `start()` starts the loop
 * unless it runs; `stop()` asks it to stop, cuts short every wait made through `sleep()` and
 * resolves once the loop has ended, so a poll in flight completes first. Once stop has been
 * requested, `halted` is true and `sleep()` returns at once, which tells long work inside a poll
 * to give up; `pollOnce()` called directly, without `start()`, is never halted.
 */
export abstract class PollingLoop {
  private stopped = true;
  private loop?: Promise<void>;
  private readonly sleepers = new Set<() => void>();

  constructor(private readonly pollIntervalMs: number) {}

  abstract pollOnce(): Promise<void>;

  /** Reports a poll that threw; the loop polls again after the usual interval. */
  protected abstract pollFailed(error: unknown): void;

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  /** Stops polling; a poll in flight completes first, a wait is cut short. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of this.sleepers) wake();
    await this.loop;
  }

  /** Stop was requested while the loop runs (pollOnce called directly is never halted). */
  protected get halted(): boolean {
    return this.stopped && this.loop !== undefined;
  }

  protected sleep(ms: number): Promise<void> {
    if (this.halted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.pollOnce();
      } catch (error) {
        this.pollFailed(error);
      }
      await this.sleep(this.pollIntervalMs);
    }
  }
}
