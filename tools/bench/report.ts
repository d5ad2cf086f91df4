import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';

export interface BenchReport {
  /** The area after `bench:`, e.g. `ingest`. */
  area: string;
  /** A section of its own beside the area's main one, for a run with flags that measure something else (e.g. `kafka-nodes`). */
  variant?: string;
  /** The flags it ran with, shown in its command. */
  args?: readonly string[];
  /** Headline figures; also printed as the bench's last output line. */
  figures: Record<string, number | string | boolean>;
  /** Arrays and objects for the last output line beside the figures (per-round series, the inputs used); not tabled. */
  structured?: Record<string, unknown>;
  /** Markdown lines with detail (tables, notes), placed under the figures. */
  details?: string[];
}

const FILE = resolve(import.meta.dirname, '../../BENCHMARKS.md');
const HEADER = '# Benchmarks\n\nEach section is rewritten by its `npm run bench:<area>` run; numbers are as measured.\n';

/** Taken when a bench imports this module, before it does any work. */
const LOAD_AT_START = loadavg();
const loadText = (load: readonly number[]) => load.map((value) => value.toFixed(2)).join(' / ');

export function machineDescription(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}`;
}

/**
 * Rewrites this area's section of BENCHMARKS.md (command, machine, date,
 * load average at the start and the end, figures) and prints the figures (and structured results) as one JSON
 * line, the bench's last output.
 */
export function recordBenchmark(report: BenchReport): void {
  const name = report.variant ? `${report.area} ${report.variant}` : report.area;
  // Machines of one kind differ in CPU and in what else runs on them: every result names both.
  const machine = { cpu_model: cpus()[0]?.model ?? 'unknown', load_average_start: loadText(LOAD_AT_START), load_average_end: loadText(loadavg()) };
  const marker = report.variant ? `${report.area}:${report.variant}` : report.area;
  const begin = `<!-- bench:${marker} -->`;
  const end = `<!-- /bench:${marker} -->`;
  const section = [
    begin,
    `## bench:${name}`,
    '',
    `- command: \`npm run bench:${report.area}${report.args?.length ? ` -- ${report.args.join(' ')}` : ''}\``,
    `- machine: ${machineDescription()}`,
    `- date: ${new Date().toISOString()}`,
    `- load average (1 / 5 / 15 min): ${machine.load_average_start} at the start, ${machine.load_average_end} at the end`,
    '',
    '| figure | value |',
    '|---|---|',
    ...Object.entries(report.figures).map(([name, value]) => `| ${name} | ${value} |`),
    '',
    ...(report.details ?? []),
    end,
  ].join('\n');
  const current = existsSync(FILE) ? readFileSync(FILE, 'utf8') : HEADER;
  const pattern = new RegExp(`${begin}[\\s\\S]*?${end}`);
  const next = pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(FILE, next);
  console.log(JSON.stringify({ ...report.figures, ...machine, ...report.structured }));
}

/** The p-th percentile (0-100) of `values`, nearest rank; 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
