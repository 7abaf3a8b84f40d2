import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { handleApi } from './api.js';
import { send } from './respond.js';
import { checkRequest } from './security.js';
import { TaskRegistry } from './task-registry.js';

/** Options of {@link startViewer}. */
export type ViewerOptions = {
  /** The output folder to serve (every task folder under it is shown). */
  outputDir: string;
  /** Interface to bind; default `127.0.0.1` (loopback only). */
  host?: string;
  /** Port; default 0 (the system picks a free one). */
  port?: number;
  /** Session token; default a fresh random one. */
  token?: string;
};

/** A running viewer. */
export type Viewer = {
  /** The URL to open, with the session token. */
  url: string;
  token: string;
  port: number;
  server: Server;
  close(): Promise<void>;
};

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Whether `host` only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

const clientDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'client');
const ASSETS: Record<string, { file: string; type: string }> = {
  '/assets/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/assets/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>DGT viewer</title>
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><a href="/" class="brand">DGT viewer</a><span id="live" role="status" aria-live="polite"></span></header>
<main id="main" tabindex="-1"><p>Loading…</p></main>
<script type="module" src="/assets/app.js"></script>
</body>
</html>
`;

/**
 * Starts the viewer's HTTP server over an output folder: the app's page and assets (bundled in
 * this package; nothing is fetched from the network) and a JSON API that reads the task folders
 * and appends review decisions. Binds to loopback unless `host` says otherwise.
 */
export async function startViewer(options: ViewerOptions): Promise<Viewer> {
  const root = path.resolve(options.outputDir);
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('base64url');
  const registry = new TaskRegistry(root);
  let allowedHosts: Set<string> | undefined;

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, { error: (error as Error).message });
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://viewer.invalid');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    if (url.pathname.startsWith('/api/')) {
      const refusal = checkRequest(request, url, {
        token,
        ...(allowedHosts ? { allowedHosts } : {}),
      });
      if (refusal) return send(response, refusal.status, { error: refusal.message });
      return handleApi(request, response, url, registry);
    }
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return send(response, 405, { error: 'method not allowed' });
    if (url.pathname === '/favicon.ico') {
      response.writeHead(204);
      response.end();
      return;
    }
    const asset = ASSETS[url.pathname];
    if (asset) {
      const body = await readFile(path.join(clientDir, asset.file));
      response.writeHead(200, { 'Content-Type': asset.type, 'Cache-Control': 'no-cache' });
      response.end(body);
      return;
    }
    if (url.pathname === '/' || url.pathname.startsWith('/task/')) {
      response.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        // The app's own script and style only: no inline script, nothing from elsewhere.
        'Content-Security-Policy':
          "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
      });
      response.end(PAGE);
      return;
    }
    send(response, 404, { error: 'not found' });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  if (isLoopback(host)) {
    // Only names of this machine: a page on another site that rebinds its DNS name to
    // 127.0.0.1 sends its own name as Host and is refused.
    allowedHosts = new Set(
      ['127.0.0.1', 'localhost', '[::1]', shown].map((name) => `${name}:${port}`.toLowerCase()),
    );
  }
  return {
    url: `http://${shown === '0.0.0.0' || shown === '[::]' ? '127.0.0.1' : shown}:${port}/?token=${token}`,
    token,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        registry.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
