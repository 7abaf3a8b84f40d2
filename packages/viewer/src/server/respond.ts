import type { ServerResponse } from 'node:http';

/** Sends a JSON body (never cached: the data changes while a run writes). */
export function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  response.end(JSON.stringify(body));
}
