import { describe, expect, it } from 'vitest';
import { callContext, makeBlock } from './shared/make-block.js';
import { toolCallBlock } from './tool-call.js';

const tools = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current weather in a city',
      parameters: {
        type: 'object',
        properties: {
          city: { type: 'string' },
          unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
          days: { type: 'integer' },
        },
        required: ['city'],
      },
    },
  },
  { name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string' } } } },
];

async function check(inputs: unknown[], config: Record<string, unknown> = { tools }) {
  const block = await makeBlock(toolCallBlock, config);
  const out = await block.call(
    inputs.map((input) => ({ input })),
    undefined,
    callContext(),
  );
  return out.rows.map((r) => (r.is_valid ? true : String(r.invalid_reason)));
}

describe('tool_call', () => {
  it('accepts valid calls in the usual shapes', async () => {
    expect(
      await check([
        '{"name": "get_weather", "arguments": {"city": "Lima", "unit": "celsius"}}',
        { type: 'function', function: { name: 'get_time', arguments: '{"zone": "UTC"}' } },
        { tool_calls: [{ function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] },
        [
          { name: 'get_time', arguments: {} },
          { name: 'get_weather', arguments: { city: 'Rome' } },
        ],
      ]),
    ).toEqual([true, true, true, true]);
  });

  it('names each problem: malformed JSON, unknown tool, missing, extra and mistyped arguments', async () => {
    const [malformed, unknown, missing, extra, mistyped, badArgs] = await check([
      '{"name": "get_weather", "arguments": {"city": "Lima"',
      { name: 'book_flight', arguments: {} },
      { name: 'get_weather', arguments: { unit: 'celsius' } },
      { name: 'get_weather', arguments: { city: 'Lima', country: 'Peru' } },
      { name: 'get_weather', arguments: { city: 'Lima', days: 'three', unit: 'kelvin' } },
      { name: 'get_weather', arguments: '{city: Lima}' },
    ]);
    expect(malformed).toMatch(/^malformed JSON/);
    expect(unknown).toBe('unknown tool "book_flight"');
    expect(missing).toBe('get_weather: missing argument "city"');
    expect(extra).toBe('get_weather: unexpected argument "country"');
    expect(mistyped).toMatch(/argument \/days must be integer/);
    expect(mistyped).toMatch(/argument \/unit must be equal to one of the allowed values/);
    expect(badArgs).toMatch(/get_weather: arguments are malformed JSON/);
  });

  it("uses a row's own tools field, and can demand a single call", async () => {
    const block = await makeBlock(toolCallBlock, { allow_multiple: false, filter: true });
    const out = await block.call(
      [
        { input: { name: 'get_time', arguments: {} }, tools: JSON.stringify(tools) },
        { input: [{ name: 'get_time' }, { name: 'get_time' }], tools },
        { input: { name: 'get_time' } },
      ],
      undefined,
      callContext(),
    );
    expect(out.rows).toHaveLength(1);
    expect(out.rejected?.map((r) => r.reason)).toEqual([
      '2 tool calls, expected one',
      'no tool schemas: set tools in the block config or give rows a tools field',
    ]);
  });
});
