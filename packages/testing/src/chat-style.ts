/**
 * A reply dressed the way chat models write when nothing enforces a format: JSON after a
 * sentence or in a fence, or the JSON's text fields as labelled text (`**Question:** …`, `Q:` /
 * `A:`, `### Question` headings, numbered items). Which dress a reply gets follows `index`, so a
 * run sees every one. A reply that is not a JSON object is returned as it is.
 */
export function chatStyled(text: string, index: number): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return text;
  const records = labelledRecords(value as Record<string, unknown>);
  const styles = records ? STYLES.length : 2;
  switch (index % styles) {
    case 0:
      return `Here is the JSON:\n\n${text}`;
    case 1:
      return `Sure! Here it is:\n\n\`\`\`json\n${JSON.stringify(value, null, 2)}\n\`\`\`\n\nLet me know if you need more.`;
    default:
      return STYLES[index % styles]!(records!);
  }
}

type Fields = [label: string, value: string][];

// The labelled dresses (after the two JSON ones, whose slots these leave empty).
const STYLES: ((records: Fields[]) => string)[] = [
  () => '',
  () => '',
  (records) =>
    records
      .map((fields) => fields.map(([label, value]) => `**${title(label)}:** ${value}`).join('\n'))
      .join('\n\n'),
  (records) =>
    records
      .map((fields) => fields.map(([label, value]) => `${shortLabel(label)}: ${value}`).join('\n'))
      .join('\n\n'),
  (records) =>
    records
      .map((fields) => fields.map(([label, value]) => `### ${title(label)}\n${value}\n`).join('\n'))
      .join('\n'),
  (records) =>
    records
      .map(
        (fields, i) =>
          `${i + 1}. ${fields.map(([label, value]) => `${title(label)}: ${value}`).join('\n   ')}`,
      )
      .join('\n'),
];

/**
 * The records a JSON reply holds as labelled text: the object itself when all its values are
 * text, or the items of its one list of such objects; `undefined` when it has another shape
 * (numbers, nested lists), which a chat model would write as JSON.
 */
function labelledRecords(value: Record<string, unknown>): Fields[] | undefined {
  const flat = textFields(value);
  if (flat) return [flat];
  const lists = Object.values(value).filter(Array.isArray);
  if (lists.length !== 1 || Object.keys(value).length !== 1) return undefined;
  const items = (lists[0] as unknown[]).map((item) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? textFields(item as Record<string, unknown>)
      : undefined,
  );
  if (items.length === 0 || items.some((item) => item === undefined)) return undefined;
  return items as Fields[];
}

function textFields(value: Record<string, unknown>): Fields | undefined {
  const entries = Object.entries(value);
  if (entries.length === 0 || entries.some(([, v]) => typeof v !== 'string')) return undefined;
  // A field a model would leave out rather than write empty.
  return (entries as [string, string][]).filter(([, v]) => v.trim() !== '');
}

function title(label: string): string {
  const words = label.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function shortLabel(label: string): string {
  if (label === 'question') return 'Q';
  if (label === 'answer') return 'A';
  return title(label);
}
