/**
 * Sums every sample of each metric in a Prometheus text exposition, by
 * metric name (labels dropped), e.g. `ingest_events_accepted_total` over all
 * its topics. Histogram parts keep their own names (`_bucket`, `_sum`, `_count`).
 */
export function sumByMetric(exposition: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const raw of exposition.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const sample = parseSample(line);
    if (sample && Number.isFinite(sample.value)) sums.set(sample.name, (sums.get(sample.name) ?? 0) + sample.value);
  }
  return sums;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

function parseSample(line: string): { name: string; value: number } | undefined {
  const name = METRIC_NAME.exec(line)?.[0];
  if (!name) return undefined;
  let rest = line.slice(name.length);
  if (rest.startsWith('{')) {
    const end = labelsEnd(rest);
    if (end < 0) return undefined;
    rest = rest.slice(end + 1);
  }
  const value = rest.trim().split(/\s+/)[0];
  return value ? { name, value: Number(value) } : undefined;
}

/** The index of the `}` closing a label set, skipping quoted values (which may hold `}` and escaped quotes). */
function labelsEnd(text: string): number {
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const char = text[i];
    if (quoted && char === '\\') i++;
    else if (char === '"') quoted = !quoted;
    else if (!quoted && char === '}') return i;
  }
  return -1;
}
