import path from 'node:path';

// The conditions Node uses for `import()`: plugins are ES modules, so an `import`-only export
// counts, and a dual package's `import` target wins over its `require` one.
const IMPORT_CONDITIONS = new Set(['import', 'node', 'default']);

/**
 * The file a package's `exports` field maps an export subpath (`"./blocks/judge"`) to, as
 * `import()` would resolve it; undefined when the package does not export that subpath. Covers
 * exact keys, single-`*` patterns, condition objects and fallback arrays.
 */
export function resolveExport(
  packageDir: string,
  exportsField: unknown,
  subpath: string,
): string | undefined {
  const map =
    typeof exportsField === 'string' || Array.isArray(exportsField) || !isSubpathMap(exportsField)
      ? { '.': exportsField }
      : exportsField;
  let target: string | undefined;
  if (Object.hasOwn(map, subpath)) {
    target = pickTarget(map[subpath], '');
  } else {
    // The most specific pattern wins (longest prefix before the `*`).
    const patterns = Object.keys(map)
      .filter((key) => key.split('*').length === 2)
      .sort((a, b) => b.indexOf('*') - a.indexOf('*'));
    for (const key of patterns) {
      const [prefix, suffix] = key.split('*') as [string, string];
      if (
        subpath.length >= key.length - 1 &&
        subpath.startsWith(prefix) &&
        subpath.endsWith(suffix)
      ) {
        target = pickTarget(map[key], subpath.slice(prefix.length, subpath.length - suffix.length));
        break;
      }
    }
  }
  return target?.startsWith('./') ? path.join(packageDir, target) : undefined;
}

function isSubpathMap(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.keys(value).every((key) => key.startsWith('.'))
  );
}

function pickTarget(target: unknown, star: string): string | undefined {
  if (typeof target === 'string') return target.replaceAll('*', star);
  if (Array.isArray(target)) {
    for (const candidate of target) {
      const picked = pickTarget(candidate, star);
      if (picked !== undefined) return picked;
    }
    return undefined;
  }
  if (typeof target === 'object' && target !== null) {
    for (const [condition, value] of Object.entries(target)) {
      if (!IMPORT_CONDITIONS.has(condition)) continue;
      const picked = pickTarget(value, star);
      if (picked !== undefined) return picked;
    }
  }
  return undefined; // null (explicitly not exported) or no matching condition
}
