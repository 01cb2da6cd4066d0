/**
 * Who may use the dashboard (pure checks, used by server.ts):
 *
 * - Origin: a browser sends `Origin` on every WebSocket upgrade, and a page from another site
 *   can open a WebSocket to any address it likes (the same-origin policy does not cover
 *   WebSockets). So `/mqtt` and `/live` accept an upgrade only from the origins the dashboard
 *   is served at (by default `http://127.0.0.1:{port}`, `http://localhost:{port}` and
 *   `http://[::1]:{port}`, plus the bound host) or those listed with `allowOrigins`. An upgrade
 *   without `Origin` is not from a browser page; it is let through (the broker still asks
 *   for credentials, and the token check below still applies).
 * - Token: outside the demo the API, `/metrics`, `/openapi.json` and `/live` can require an
 *   observer token: `Authorization: Bearer {token}` on HTTP; on the live WebSocket, where a
 *   browser cannot set headers, the subprotocol `bearer.{token}`. The page itself holds no
 *   data and stays public; it asks for the token once and keeps it for the tab.
 */
import { timingSafeEqual } from 'node:crypto';

/** The origins a dashboard bound to `host:port` is served at. */
export function servedOrigins(
  host: string,
  port: number,
  extra: readonly string[] = [],
): Set<string> {
  const out = new Set<string>([
    `http://127.0.0.1:${port}`,
    `http://localhost:${port}`,
    `http://[::1]:${port}`,
  ]);
  if (host !== '0.0.0.0' && host !== '::' && host !== '') {
    out.add(`http://${host.includes(':') ? `[${host}]` : host}:${port}`);
  }
  for (const o of extra) out.add(normalizeOrigin(o));
  return out;
}

/** `https://Example.org:443/` → `https://example.org` (what a browser sends as Origin). */
export function normalizeOrigin(origin: string): string {
  try {
    const u = new URL(origin);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
    return u.origin;
  } catch {
    throw new Error(`'${origin}' is not an origin: expected e.g. https://dashboard.example.org`);
  }
}

/** true: the upgrade may go on. A request without Origin is not from a browser page. */
export function originAllowed(origin: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (origin === undefined) return true;
  return allowed.has(origin.toLowerCase());
}

/** Constant-time comparison of a presented token with the expected one. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token of `Authorization: Bearer …`, or of a `bearer.…` WebSocket subprotocol. */
export function presentedToken(headers: {
  authorization?: string;
  'sec-websocket-protocol'?: string;
}): string | undefined {
  const auth = headers.authorization;
  if (auth?.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  for (const p of (headers['sec-websocket-protocol'] ?? '').split(',')) {
    const t = p.trim();
    if (t.startsWith('bearer.')) return t.slice(7);
  }
  return undefined;
}

/** Paths that need the token when one is set: everything with data. */
export function needsToken(path: string): boolean {
  return (
    path.startsWith('/api/') || path === '/metrics' || path === '/openapi.json' || path === '/live'
  );
}
