import { z } from 'zod';
import type { Logger } from '@recstream/platform';
import { fetchFailure } from './fetch-error.js';
import { sumByMetric } from './prometheus-text.js';

/** An app's Prometheus endpoint, e.g. `{ name: 'ingester', url: 'http://ingester:8080/metrics' }`. */
export interface MetricsTarget {
  name: string;
  url: string;
}

/**
 * Targets as configured in one string: `name=url` pairs, comma-separated, e.g.
 * `ingester=http://ingester:8080/metrics,serving=http://serving:8080/metrics`.
 */
export const MetricsTargetList = z.string().transform((list, ctx): MetricsTarget[] => {
  const targets: MetricsTarget[] = [];
  for (const entry of list.split(',').map((part) => part.trim()).filter(Boolean)) {
    const separator = entry.indexOf('=');
    const name = entry.slice(0, separator).trim();
    const url = entry.slice(separator + 1).trim();
    if (separator <= 0 || !/^https?:\/\/[^\s]+$/.test(url) || !URL.canParse(url)) {
      ctx.addIssue({ code: 'custom', message: `'${entry}' must be name=http(s)://host:port/metrics` });
    } else if (targets.some((target) => target.name === name)) {
      ctx.addIssue({ code: 'custom', message: `target name '${name}' appears twice` });
    } else targets.push({ name, url });
  }
  return targets;
});

/** Counters whose rate is a stage's throughput, and what they count (metric names as the apps register them). */
export const THROUGHPUT_COUNTERS: Readonly<Record<string, string>> = {
  ingest_events_accepted_total: 'events accepted by the ingester',
  feature_builder_events_total: 'messages consumed by the feature builder',
  serving_requests_total: 'recommendation requests served',
  online_updater_events_total: 'messages consumed by the online updater',
};

/**
 * Counters that should stay at zero, and what a rise means: pipeline health
 * shows each one a target exposes with a value above zero as a warning.
 */
export const WARNING_COUNTERS: Readonly<Record<string, string>> = {
  feature_builder_late_events_total: 'late events left out of nearline features since start (load history with npm run backfill)',
};

/** The warning counters a reading holds above zero, with their values. */
export function counterWarnings(reading: CounterReading): Record<string, number> {
  const warnings: Record<string, number> = {};
  for (const counter of Object.keys(WARNING_COUNTERS)) {
    const value = reading.sums.get(counter) ?? 0;
    if (value > 0) warnings[counter] = value;
  }
  return warnings;
}

export interface ScraperOptions {
  /** Time between the end of one round of scrapes and the start of the next. */
  intervalMs: number;
  /** A target that has not answered by then is reported down. */
  timeoutMs: number;
  /** Rates kept per target for the chart. */
  historyLength: number;
}

export const DEFAULT_SCRAPER_OPTIONS: ScraperOptions = { intervalMs: 5_000, timeoutMs: 2_000, historyLength: 120 };

export interface CounterReading {
  time: number;
  sums: Map<string, number>;
}

export interface TargetHealth {
  name: string;
  url: string;
  up: boolean;
  error: string | null;
  scrapedAt: number | null;
  /** Per throughput counter the target exposes: increase per second since the previous scrape. */
  rates: Record<string, number>;
  /** Per warning counter the target holds above zero: its value at the last scrape. */
  warnings: Record<string, number>;
  /** Total throughput per second after each scrape, oldest first. */
  history: { time: number; perSecond: number }[];
}

/**
 * Per-second increase of each throughput counter between two readings. A
 * counter that went down belongs to a restarted process, so its whole current
 * value is the increase; one missing before had not been incremented yet (0).
 */
export function counterRates(previous: CounterReading, current: CounterReading): Record<string, number> {
  const seconds = (current.time - previous.time) / 1_000;
  const rates: Record<string, number> = {};
  if (seconds <= 0) return rates;
  for (const counter of Object.keys(THROUGHPUT_COUNTERS)) {
    const now = current.sums.get(counter);
    if (now === undefined) continue;
    const before = previous.sums.get(counter) ?? 0;
    rates[counter] = (now >= before ? now - before : now) / seconds;
  }
  return rates;
}

/**
 * Scrapes the apps' /metrics endpoints on an interval and keeps, per target,
 * whether it answered and its throughput history. Rounds never overlap: the
 * next starts `intervalMs` after the previous one finished.
 */
export class MetricsScraper {
  readonly options: ScraperOptions;
  private readonly targets = new Map<string, { target: MetricsTarget; last?: CounterReading; health: TargetHealth }>();
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private closed = false;

  constructor(
    targets: readonly MetricsTarget[],
    private readonly logger: Logger,
    options: Partial<ScraperOptions> = {},
  ) {
    this.options = { ...DEFAULT_SCRAPER_OPTIONS, ...options };
    for (const target of targets) {
      this.targets.set(target.name, { target, health: { ...target, up: false, error: 'not scraped yet', scrapedAt: null, rates: {}, warnings: {}, history: [] } });
    }
  }

  /** Scrapes every target once, then keeps scraping in the background. */
  async start(): Promise<void> {
    await this.scrapeRound();
  }

  health(): TargetHealth[] {
    return [...this.targets.values()].map(({ health }) => ({ ...health, history: [...health.history] }));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.round;
  }

  private scrapeRound(): Promise<void> {
    this.round = Promise.all([...this.targets.values()].map((state) => this.scrape(state))).then(() => {
      if (!this.closed) this.timer = setTimeout(() => void this.scrapeRound(), this.options.intervalMs);
    });
    return this.round;
  }

  private async scrape(state: { target: MetricsTarget; last?: CounterReading; health: TargetHealth }): Promise<void> {
    const { target, health } = state;
    try {
      const response = await fetch(target.url, { signal: AbortSignal.timeout(this.options.timeoutMs) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const reading = { time: Date.now(), sums: sumByMetric(await response.text()) };
      if (state.last) {
        health.rates = counterRates(state.last, reading);
        const perSecond = Object.values(health.rates).reduce((sum, rate) => sum + rate, 0);
        health.history.push({ time: reading.time, perSecond });
        if (health.history.length > this.options.historyLength) health.history.shift();
      }
      state.last = reading;
      Object.assign(health, { up: true, error: null, scrapedAt: reading.time, warnings: counterWarnings(reading) });
    } catch (error) {
      const message = fetchFailure(error, this.options.timeoutMs);
      if (health.up) this.logger.warn({ target: target.name, url: target.url, err: error }, 'metrics target stopped answering');
      // Rates across a gap would average over the outage; start again from the next good reading.
      state.last = undefined;
      Object.assign(health, { up: false, error: message, scrapedAt: Date.now(), rates: {}, warnings: {} });
    }
  }
}
