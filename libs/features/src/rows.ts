import { NonRetriableError } from '@recstream/platform';
import { ITEM_VIEWS, USER_VIEWS, type EntityName, type FeatureView } from './views.js';

/**
 * Feature rows: the online store keeps each entity's feature view values as
 * one string, the views' JSON in the entity's view order (USER_VIEWS,
 * ITEM_VIEWS) joined by U+001E, empty where a view has no value yet. An
 * online read is then one MGET, and a writer replaces one view's segment
 * without parsing the others (lua/feature-row.lua does it inside Redis).
 * JSON.stringify escapes every control character, so the separator never
 * occurs inside a segment. A view added later is appended to its entity's
 * list: shorter rows read it as missing, which is its defaults.
 */
export const ROW_SEPARATOR = '\u001e';

export const ROW_VIEWS: Record<EntityName, readonly FeatureView[]> = { user: USER_VIEWS, item: ITEM_VIEWS };

/** The view's position in its entity's row, counted from 0. */
export function rowSegment(entity: EntityName, view: string): number {
  const index = ROW_VIEWS[entity].findIndex((candidate) => candidate.name === view);
  if (index < 0) throw new NonRetriableError(`${view} is not a feature view of ${entity}s; they have ${ROW_VIEWS[entity].map((v) => v.name).join(', ')}`);
  return index;
}

/** A whole row from view values by name; views not given are left empty. */
export function encodeRow(entity: EntityName, views: Readonly<Record<string, unknown>>): string {
  for (const view of Object.keys(views)) rowSegment(entity, view);
  return ROW_VIEWS[entity].map((view) => (view.name in views ? encodeView(view, views[view.name]) : '')).join(ROW_SEPARATOR);
}

/**
 * What a write script needs to replace one view's segment: its position,
 * counted from 1 as Lua tables are, the row's length, and the encoded values.
 */
export function segmentWrite(entity: EntityName, view: string, values: unknown): { segment: number; segments: number; encoded: string } {
  const index = rowSegment(entity, view);
  return { segment: index + 1, segments: ROW_VIEWS[entity].length, encoded: encodeView(ROW_VIEWS[entity][index]!, values) };
}

/** One view's values as its row segment: JSON, of the positional fields where the view declares them. */
export function encodeView(view: FeatureView, values: unknown): string {
  return JSON.stringify(view.onlineFields ? view.onlineFields.encode(values) : values);
}

const viewKeys = new Map<string, string[]>();

/**
 * A row segment's values, with the view's defaults for fields it lacks (a
 * field added to a view reads as its default until the entity is rewritten).
 * Defaults are built only when something is missing, and the check
 * allocates nothing: reads decode hundreds of views.
 */
export function decodeView<V>(view: FeatureView<string, V>, segment: string | undefined): V {
  if (!segment) return view.defaults();
  const parsed = JSON.parse(segment) as unknown;
  if (view.onlineFields) return view.onlineFields.decode(parsed as unknown[]);
  const values = parsed as Record<string, unknown>;
  let keys = viewKeys.get(view.name);
  if (!keys) viewKeys.set(view.name, (keys = Object.keys(view.defaults() as object)));
  for (const key of keys) if (!(key in values)) return { ...view.defaults(), ...values };
  return values as V;
}

/** The stored JSON of each of the entity's views, in row order; '' where the row has no value. */
export function rowSegments(row: string | null | undefined): string[] {
  return row == null ? [] : row.split(ROW_SEPARATOR);
}
