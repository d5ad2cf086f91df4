import type { KafkaMessage } from 'kafkajs';
import type { ItemEvent, UserEvent } from '@recstream/schemas';
import { upsertMessages } from '@recstream/streams';
import { decodeMessages, partitionDecoded } from './decode.js';
import type { DeadLetterSink } from './interactions.js';
import type { HistoryRow, OfflineStore } from './offline-store.js';
import type { OnlineFeatureWriter, ViewWrite } from './online-writer.js';
import { itemAttributes, userProfile, type ItemAttributes, type UserProfile } from './views.js';


/** The view write an item or user upsert makes. */
export function upsertView(event: ItemEvent | UserEvent): ViewWrite {
  if (event.type === 'item') {
    const values: ItemAttributes = {
      categories: event.categories,
      tags: event.tags,
      available: event.available,
      created_time: event.created_time ?? null,
    };
    return { entity: 'item', id: event.item_id, view: itemAttributes.name, eventTime: event.event_time, values };
  }
  const values: UserProfile = { attributes: event.attributes };
  return { entity: 'user', id: event.user_id, view: userProfile.name, eventTime: event.event_time, values };
}

/**
 * Applies item and user upserts: the newest values per entity win, in
 * Postgres history and in Redis (write-if-newer), so replays and
 * out-of-order upserts are harmless without any watermark.
 */
export class UpsertProcessor {
  constructor(
    private readonly online: OnlineFeatureWriter,
    private readonly offline: OfflineStore,
    private readonly sendDeadLetters: DeadLetterSink,
    private readonly maxFutureSkewMs: number,
  ) {}

  async process(messages: readonly KafkaMessage[]): Promise<{ applied: number; invalid: number }> {
    const { events, deadLetters } = partitionDecoded(decodeMessages(messages, upsertMessages(this.maxFutureSkewMs)));
    const newest = new Map<string, ViewWrite>();
    for (const write of events.map(upsertView)) {
      const key = `${write.view}:${write.id}`;
      const seen = newest.get(key);
      if (!seen || seen.eventTime <= write.eventTime) newest.set(key, write);
    }
    const writes = [...newest.values()];
    const history: HistoryRow[] = writes.map((w) => ({ view: w.view, entityId: w.id, eventTime: w.eventTime, values: w.values }));
    await this.offline.writeBatch({ events: [], history });
    await this.online.writeViews(writes);
    await this.sendDeadLetters(deadLetters);
    return { applied: events.length, invalid: deadLetters.length };
  }
}
