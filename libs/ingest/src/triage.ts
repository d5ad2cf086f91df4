import { deadLetterFor, validateEvent, type AnyEvent, type ArrivalBound, type DeadLetter } from '@recstream/schemas';
import type { DecodedItem } from './decode.js';
import type { IngestMetrics } from './metrics.js';
import type { EventPublisher } from './publisher.js';

export interface RejectedEvent {
  index: number;
  reasons: string[];
}

export interface Triage {
  events: AnyEvent[];
  deadLetters: DeadLetter[];
  rejected: RejectedEvent[];
}

/**
 * Validates decoded items, each against the bound of the time it arrived:
 * valid ones become events, the rest dead letters that keep the input and the reasons.
 */
export function triage(items: readonly DecodedItem[], source: string, arrival: (index: number) => ArrivalBound): Triage {
  const result: Triage = { events: [], deadLetters: [], rejected: [] };
  items.forEach((item, index) => {
    const validation = item.ok ? validateEvent(item.value, arrival(index)) : { ok: false as const, reasons: [item.reason] };
    if (validation.ok) return void result.events.push(validation.event);
    result.rejected.push({ index, reasons: validation.reasons });
    result.deadLetters.push(deadLetterFor(validation.reasons, source, item.ok ? item.value : item.raw));
  });
  return result;
}

/** Publishes a triage and counts it in the ingest metrics. */
export async function publishTriage(publisher: EventPublisher, metrics: IngestMetrics, { events, deadLetters }: Triage): Promise<void> {
  const result = await publisher.publish(events, deadLetters);
  metrics.produceLatency.observe(result.durationMs / 1000);
  for (const [topic, count] of result.perTopic) if (topic !== publisher.topics.deadLetter) metrics.accepted.inc({ topic }, count);
  metrics.rejected.inc(deadLetters.length);
}
