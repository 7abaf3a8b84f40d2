/**
 * A whole number ≥ `min` from the first of `values` that is one (task key, then builder config,
 * then default): task files may say `3` or `"3"`.
 */
export function positiveInt(min: number, ...values: unknown[]): number | undefined {
  for (const value of values) {
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number === 'number' && Number.isInteger(number) && number >= min) return number;
  }
  return undefined;
}

/** Groups batch items by their `task_name`, keeping the first-seen order. */
export function byTask<T extends object>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = String((item as { task_name?: unknown }).task_name);
    groups.set(name, [...(groups.get(name) ?? []), item]);
  }
  return groups;
}
