const TOKEN_KEY = 'dgt-viewer-token';

/** Takes the session token from the URL once, keeps it for the tab, and removes it from the URL. */
export function initToken(): string | undefined {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function token(): string {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

/** An error from the API, with its HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(path, {
    ...init,
    headers: { ...(init.headers ?? {}), 'X-DGT-Token': token() },
  });
  const body = (await response.json().catch(() => ({}))) as { error?: string };
  if (!response.ok) throw new ApiError(response.status, body.error ?? response.statusText);
  return body as T;
}

export function get<T>(
  path: string,
  params: Record<string, string | number | undefined> = {},
): Promise<T> {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== '') search.set(key, String(value));
  const qs = search.toString();
  return call<T>(qs ? `${path}?${qs}` : path);
}

export function post<T>(path: string, body: unknown): Promise<T> {
  return call<T>(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** The API path of a task (store names contain slashes, so they are one encoded segment). */
export function taskApi(name: string, rest: string): string {
  return `/api/task/${encodeURIComponent(name)}/${rest}`;
}

/** The page path of a task. */
export function taskPage(name: string, rest = ''): string {
  return `/task/${encodeURIComponent(name)}${rest ? `/${rest}` : ''}`;
}

/** Live updates: calls `onChange` with the names of tasks whose files changed. */
export function subscribe(onChange: (tasks: string[]) => void): () => void {
  const source = new EventSource(`/api/events?token=${encodeURIComponent(token())}`);
  source.addEventListener('change', (event) => {
    onChange((JSON.parse((event as MessageEvent).data) as { tasks: string[] }).tasks);
  });
  return () => source.close();
}
