/** JSON with object keys sorted and undefined members dropped, so equal values serialise alike. */
export function canonicalJson(value: unknown): string {
  // Built with one string and no intermediate arrays: it runs for every LM request (its hash
  // names the request in provenance and the cache).
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += `${i > 0 ? ',' : ''}${canonicalJson(value[i])}`;
    return `${out}]`;
  }
  // Default sort order is by UTF-16 code units, as `<` compares strings.
  const keys = Object.keys(value).sort();
  let out = '{';
  for (const key of keys) {
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(member)}`;
  }
  return `${out}}`;
}
