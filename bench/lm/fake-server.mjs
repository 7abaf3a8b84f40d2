// A fake OpenAI server in its own process, so benchmarks measure the client, not a shared event
// loop. Options come as JSON in argv[2]; the URL is printed on the first stdout line. Stdin takes
// commands, one a line: `stats` prints the counters as JSON, `reset` clears them.

import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { startFakeOpenAI } = await import(join(root, 'packages/testing/dist/index.js'));
const server = await startFakeOpenAI(JSON.parse(process.argv[2] ?? '{}'));
console.log(JSON.stringify({ url: server.url, baseURL: server.baseURL }));
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'stats') console.log(JSON.stringify(server.stats));
  if (line === 'reset') {
    server.reset();
    console.log('{}');
  }
}
await server.close();
