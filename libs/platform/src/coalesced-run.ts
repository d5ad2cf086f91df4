/**
 * Runs a task so that calls arriving while it runs start nothing of their
 * own: however many there were, they get one more run after the current
 * one (unless `stopped`), and all of them resolve with it.
 */
export class CoalescedRun {
  private current?: Promise<void>;
  private again = false;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly stopped: () => boolean = () => false,
  ) {}

  run(): Promise<void> {
    if (this.current) {
      this.again = true;
      return this.current;
    }
    this.current = (async () => {
      do {
        this.again = false;
        await this.task();
      } while (this.again && !this.stopped());
    })().finally(() => (this.current = undefined));
    return this.current;
  }

  /** Resolves once no run is in progress. */
  async settled(): Promise<void> {
    await this.current;
  }
}
