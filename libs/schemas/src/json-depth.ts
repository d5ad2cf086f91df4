/**
 * Deepest nesting of arrays and objects any JSON input may have. Events
 * need three levels (a message array, the event, its context or
 * attributes); JSON.stringify and every other recursive walk overflow the
 * stack at a few thousand, so deeper input is refused before they run.
 */
export const MAX_JSON_DEPTH = 32;

/** The reason given for input nested past MAX_JSON_DEPTH. */
export const TOO_DEEP_MESSAGE = `must not nest arrays and objects more than ${MAX_JSON_DEPTH} levels deep`;

/** Whether `value` nests arrays and objects more than `maxDepth` levels deep; iterative, so any depth is safe to check. */
export function nestedDeeperThan(value: unknown, maxDepth: number = MAX_JSON_DEPTH): boolean {
  const stack: [object, number][] = isContainer(value) ? [[value, 1]] : [];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [container, depth] = top;
    if (depth > maxDepth) return true;
    for (const child of Object.values(container)) if (isContainer(child)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * The JSON text of a decoded JSON value, written without recursion: what
 * JSON.stringify would give, for values too deep for it to write.
 */
export function jsonWithoutRecursion(value: unknown): string {
  const out: string[] = [];
  // Values still to write, and the punctuation between them, last first.
  const stack: ({ text: string } | { value: unknown })[] = [{ value }];
  for (let top = stack.pop(); top; top = stack.pop()) {
    if ('text' in top) {
      out.push(top.text);
      continue;
    }
    const current = top.value;
    if (!isContainer(current)) {
      out.push(JSON.stringify(current) ?? 'null');
      continue;
    }
    const array = Array.isArray(current);
    const entries = array ? current.map((item): [string, unknown] => ['', item]) : Object.entries(current);
    out.push(array ? '[' : '{');
    stack.push({ text: array ? ']' : '}' });
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, item] = entries[i]!;
      stack.push({ value: item });
      if (!array) stack.push({ text: `${JSON.stringify(key)}:` });
      if (i > 0) stack.push({ text: ',' });
    }
  }
  return out.join('');
}

const isContainer = (value: unknown): value is object => typeof value === 'object' && value !== null;
