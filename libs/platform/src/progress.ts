/** Below this much elapsed time a rate is mostly noise (a bar's first report showed absurd rates), so none is shown. */
const MIN_RATE_SECONDS = 0.5;

/** A one-line progress bar on stderr for command-line tools; on a non-TTY it prints a line every 10%. */
export class ProgressBar {
  /** Units completed so far. */
  done = 0;
  private lastDecile = -1;
  private readonly started = performance.now();

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly unit = 'events',
  ) {}

  tick(count = 1): void {
    this.done += count;
    const fraction = Math.min(1, this.done / this.total);
    const seconds = (performance.now() - this.started) / 1000;
    const rate = seconds >= MIN_RATE_SECONDS ? ` (${Math.round(this.done / seconds).toLocaleString('en')}/s)` : '';
    const text = `${this.label} ${Math.round(fraction * 100)}% ${this.done.toLocaleString('en')}/${this.total.toLocaleString('en')} ${this.unit}${rate}`;
    if (process.stderr.isTTY) {
      const width = 24;
      const filled = Math.round(fraction * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`);
    } else if (Math.floor(fraction * 10) > this.lastDecile) {
      this.lastDecile = Math.floor(fraction * 10);
      process.stderr.write(`${text}\n`);
    }
  }

  finish(): number {
    if (process.stderr.isTTY) process.stderr.write('\n');
    return (performance.now() - this.started) / 1000;
  }
}
