// A fake OpenAI server in its own process, so benchmarks measure the client, not a shared event
// loop. Options come as JSON in argv[2]; the URL is printed on the first stdout line. Stdin takes
// commands, one a line: `stats` prints the counters as JSON, `reset` clears them, `steady` prints
// the rate at which requests arrived between the 10% and the 80% marks of their arrivals (the
// steady state, without the start and the tail of a run), the mean number in flight over that
// window and the mean reply time drawn for them.
//
// Besides the server's own options: `lognormal: { medianMs, sigma }` draws each reply time from a
// log-normal distribution (see `lognormalLatency`); `failEvery: k` answers every k-th request
// with HTTP 400 (not retried): exactly one request in k yields no record.

import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { startFakeOpenAI, lognormalLatency } = await import(
  join(root, 'packages/testing/dist/index.js')
);
const { lognormal, failEvery, ...options } = JSON.parse(process.argv[2] ?? '{}');
let arrivals = [];
let draws = [];
let busy = [];
const latency = lognormal ? lognormalLatency(lognormal) : () => options.latencyMs ?? 0;
const server = await startFakeOpenAI({
  ...options,
  latencyMs: (req) => {
    arrivals.push(performance.now());
    const ms = latency(req);
    draws.push(ms);
    return ms;
  },
  ...(failEvery
    ? { faults: (_req, index) => ((index + 1) % failEvery === 0 ? { status: 400 } : undefined) }
    : {}),
});
console.log(JSON.stringify({ url: server.url, baseURL: server.baseURL }));
// Requests in flight, sampled every 10 ms: their mean over a window is the time-weighted load.
setInterval(() => {
  if (server.stats.requests > 0) busy.push([performance.now(), server.stats.inFlight]);
}, 10).unref();
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'stats') console.log(JSON.stringify(server.stats));
  if (line === 'steady') {
    const from = Math.floor(arrivals.length * 0.1);
    const to = Math.floor(arrivals.length * 0.8);
    const seconds = (arrivals[to] - arrivals[from]) / 1000;
    const inWindow = busy.filter(([t]) => t >= arrivals[from] && t <= arrivals[to]);
    const window = draws.slice(from, to);
    console.log(
      JSON.stringify({
        rate: to > from ? (to - from) / seconds : 0,
        requests: arrivals.length,
        // Little's law: rate = requests in flight ÷ mean reply time, so this mean divided by the
        // concurrency is the rate achieved over the ideal for the reply times actually drawn.
        inFlight: inWindow.reduce((sum, [, n]) => sum + n, 0) / Math.max(1, inWindow.length),
        meanLatencyMs: window.reduce((sum, ms) => sum + ms, 0) / Math.max(1, window.length),
      }),
    );
  }
  if (line === 'reset') {
    server.reset();
    arrivals = [];
    draws = [];
    busy = [];
    console.log('{}');
  }
}
await server.close();
