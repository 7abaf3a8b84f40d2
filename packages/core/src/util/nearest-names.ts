/** Edit distance between two short strings (ids), for "did you mean" suggestions. */
function distance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(
        above + 1,
        previous[j - 1]! + 1,
        diagonal + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/** The known names closest to `name` (at most `count`), best first. */
export function nearestNames(name: string, known: Iterable<string>, count = 3): string[] {
  const lower = name.toLowerCase();
  return [...known]
    .map((candidate) => {
      const c = candidate.toLowerCase();
      const d = c.includes(lower) || lower.includes(c) ? 0.5 : distance(lower, c);
      return { candidate, d };
    })
    .filter(({ d, candidate }) => d <= Math.max(2, candidate.length / 2))
    .sort((x, y) => x.d - y.d || x.candidate.localeCompare(y.candidate))
    .slice(0, count)
    .map(({ candidate }) => candidate);
}
