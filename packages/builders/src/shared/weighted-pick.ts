import type { RandomSource } from '@dgt/core';

/**
 * One item, each with a chance proportional to `weightOf(item)` (uniform when every weight is
 * 0). Throws on an empty list.
 */
export function pickByWeight<T>(
  items: readonly T[],
  random: RandomSource,
  weightOf: (item: T) => number,
): T {
  const total = items.reduce((sum, item) => sum + weightOf(item), 0);
  if (total <= 0) return random.pick(items);
  let remaining = random.next() * total;
  for (const item of items) {
    remaining -= weightOf(item);
    if (remaining < 0) return item;
  }
  return items.at(-1)!;
}
