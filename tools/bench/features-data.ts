import type { InteractionEvent, InteractionType } from '@recstream/schemas';

/** The bench's synthetic population: interactions of USERS users with ITEMS items. */
export const USERS = 20_000;
export const ITEMS = 5_000;

const TYPES: InteractionType[] = ['exposure', 'exposure', 'exposure', 'exposure', 'exposure', 'click', 'click', 'view', 'add_to_cart', 'purchase'];

/** Items by a power law, so some are hot (contended across partitions) as in production. */
const pickItem = () => `i${Math.floor(ITEMS * Math.random() ** 2)}`;

/** Makes interactions with ids `${prefix}-${n}`, n counting up. */
export function interactions(prefix: string) {
  let seq = 0;
  return (time: number): InteractionEvent => ({
    schema_version: 1,
    event_id: `${prefix}-${seq++}`,
    type: TYPES[Math.floor(Math.random() * TYPES.length)]!,
    user_id: `u${Math.floor(Math.random() * USERS)}`,
    item_id: pickItem(),
    event_time: time,
    context: { surface: 'home', position: Math.floor(Math.random() * 20) },
  });
}

export const message = (event: InteractionEvent) => ({ key: event.user_id, value: JSON.stringify(event) });
