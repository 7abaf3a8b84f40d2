import { describe, expect, it } from 'vitest';
import { parseToolExamples } from './tool-calling-reply.js';
import { readToolCalls, readTools, toolExamplesSchema } from './tools.js';

const weather = {
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('tool specifications', () => {
  it('reads flat and OpenAI-shaped tools and refuses nameless ones', () => {
    const tools = readTools([weather, { type: 'function', function: { name: 'noop' } }], 'task');
    expect(tools.map((t) => t.function.name)).toEqual(['get_weather', 'noop']);
    expect(tools[1]!.function.parameters).toEqual({ type: 'object', properties: {} });
    expect(() => readTools([{ parameters: {} }], 'task "x"')).toThrow(/tools\[0\]/);
    expect(() => readTools([], 'task "x"')).toThrow(/non-empty/);
  });

  it('builds a reply schema whose calls follow each tool', () => {
    const schema = toolExamplesSchema(readTools([weather, { name: 'noop' }], 't')) as any;
    const call = schema.properties.examples.items.properties.tool_calls.items;
    expect(call.anyOf.map((c: any) => c.properties.name.const)).toEqual(['get_weather', 'noop']);
    expect(call.anyOf[0].properties.arguments).toEqual(weather.parameters);
  });

  it('reads calls with JSON-text arguments and the OpenAI function shape', () => {
    expect(
      readToolCalls('[{"function":{"name":"get_weather","arguments":"{\\"city\\":\\"Oslo\\"}"}}]'),
    ).toEqual([{ name: 'get_weather', arguments: { city: 'Oslo' } }]);
  });
});

describe('parseToolExamples', () => {
  it('reads structured output and the Request:/Calls: text format', () => {
    const parsed = {
      examples: [
        {
          question: 'Weather in Oslo?',
          tool_calls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }],
        },
      ],
    };
    expect(parseToolExamples({ parsed })).toEqual(parsed.examples);
    const result =
      'Request: Weather in Rome?\nCalls: [{"name": "get_weather", "arguments": {"city": "Rome"}}]\nRequest: And Paris?\nCalls: [{"name": "get_weather", "arguments": {"city": "Paris"}}]';
    expect(parseToolExamples({ result }).map((e) => e.question)).toEqual([
      'Weather in Rome?',
      'And Paris?',
    ]);
  });
});
