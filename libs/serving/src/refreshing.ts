import type { Logger } from '@recstream/platform';

export interface RefreshingOptions {
  /** How often the value is reloaded, in ms. */
  intervalMs: number;
}

/**
 * A value reloaded in the background every `intervalMs`: readers always see
 * the last good value (a refresh), and a failed reload keeps it (and is logged)
 * instead of failing requests.
 */
export class Refreshing<T> {
  private value?: T;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private closing?: Promise<void>;

  constructor(
    private readonly name: string,
    private readonly load: () => Promise<T>,
    private readonly logger: Logger,
    private readonly options: RefreshingOptions,
  ) {}

  /** Loads once, then keeps reloading; resolves after the first load, whether it worked or not. */
  async start(): Promise<void> {
    await this.refresh();
    if (this.closing) return;
    this.timer = setInterval(() => void this.refresh(), this.options.intervalMs);
    this.timer.unref();
  }

  get current(): T | undefined {
    return this.value;
  }

  /** Reloads now; concurrent callers share one load. */
  refresh(): Promise<void> {
    this.running ??= this.load()
      .then((value) => void (this.value = value))
      .catch((error: unknown) => this.logger.warn({ err: error, source: this.name }, `reloading ${this.name} failed; keeping the last refresh`))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.timer);
      await this.running;
    })();
    return this.closing;
  }
}
