import { DEVICES } from '@recstream/schemas';
import { vocabularyId } from './ids.js';

/**
 * How request context becomes the integer context columns of a Batch,
 * per `FeatureSpec.contextFields` name: `device` is its index in the event
 * contract's DEVICES, `hour` the UTC hour (0-23), `weekday` 0-6 from
 * Sunday, any other field the vocabulary id of its string value; a missing
 * value is -1 (the models' padding). The trainer must encode the same way.
 */
export function encodeContext(fields: readonly string[], context: Record<string, unknown>, time: number): number[] {
  const date = new Date(time);
  return fields.map((field) => {
    if (field === 'hour') return date.getUTCHours();
    if (field === 'weekday') return date.getUTCDay();
    const value = context[field];
    if (value === undefined || value === null) return -1;
    if (field === 'device') return DEVICES.indexOf(value as (typeof DEVICES)[number]);
    return vocabularyId(String(value));
  });
}
