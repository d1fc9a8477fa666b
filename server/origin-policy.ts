// Who may talk to the server. Two checks, before any route:
// - Host: the request must name one of the host names the server serves (loopback names, the
//   insecure-origin name, the bind address, names the user allows). A DNS-rebinding page, whose requests
//   carry its own host name, is refused, so it cannot read records through the victim's browser.
// - Writes (any method but GET/HEAD to /api/ or /license/): a browser's request must come from one of
//   the server's own origins. Browsers send Origin on every such request; a request without Origin
//   and without Sec-Fetch-Site is a program's (the harness, curl) and is let through, as it could send
//   any header anyway. `Origin: null` (sandboxed frames, data: URLs) is refused.
// - CORS, only for origins the user names (--cors-origin, EME_CORS_ORIGINS), only for /media/ and
//   /license/: a player page there may fetch media and licenses and read the answers, and its license
//   POSTs pass the write rule. /api/ stays same-origin: registering runs and posting timelines and
//   evidence is the harness's own work, and a player page that could do them could write the record its
//   verdict is judged on. With no origins named nothing changes (no CORS header, no Vary).
// The allowed write origins are one list (#writeOrigins).
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { HttpError } from './http-errors.ts';

export const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

export interface OriginPolicyOptions {
  /** Host names served besides the loopback ones (bare names, no port). */
  hostNames?: string[];
  /** The server's other origins (e.g. the HTTPS listener), read per request as they are known after listen. */
  otherOrigins?: () => (string | undefined)[];
  /** Origins of player pages elsewhere allowed CORS to media and licenses, as harness/config.ts webOrigin gives them. */
  corsOrigins?: string[];
}

const WRITE_PATH = /^\/(api|license)(\/|$|\?)/;
const LICENSE_PATH = /^\/license(\/|$|\?)/;
const MEDIA_PATH = /^\/media\//;

/** What a CORS answer carries, by route: the methods players use and the request headers they send. */
const CORS_ROUTES = {
  // The harness's license client sends content-type and x-eme-page-seq; players send content-type.
  license: { methods: 'POST', headers: 'content-type, x-eme-page-seq', expose: null },
  // Segment players ask for byte ranges and read which range came back.
  media: { methods: 'GET, HEAD', headers: 'range', expose: 'content-range, accept-ranges' },
} as const;

/** How long a browser may keep a preflight's answer (Chromium caps it at 2 h). */
export const PREFLIGHT_MAX_AGE_S = 600;

export interface CorsAnswer {
  /** Headers to set on the answer (always Vary: Origin; the Access-Control-* ones for an allowed origin). */
  headers: Record<string, string>;
  /** An allowed origin's preflight: answer 204 with these headers and nothing else. */
  preflight: boolean;
}

/** The host name of a Host header value, lower-cased, without the port ('[::1]' kept in brackets). */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.split(':', 1)[0]!;
}

export class OriginPolicy {
  readonly #names: Set<string>;
  readonly #otherOrigins: () => (string | undefined)[];
  readonly #corsOrigins: Set<string>;

  constructor(options: OriginPolicyOptions = {}) {
    this.#names = new Set([...LOOPBACK_NAMES, ...(options.hostNames ?? []).map((n) => hostName(n))]);
    this.#otherOrigins = options.otherOrigins ?? (() => []);
    this.#corsOrigins = new Set((options.corsOrigins ?? []).map((o) => o.toLowerCase()));
  }

  get hostNames(): string[] {
    return [...this.#names];
  }

  get corsOrigins(): string[] {
    return [...this.#corsOrigins];
  }

  /** Origins allowed to write, for a request that arrived with Host `host` (already checked). */
  #writeOrigins(req: IncomingMessage, host: string): Set<string> {
    const scheme = (req.socket as TLSSocket).encrypted ? 'https' : 'http';
    const own = [`${scheme}://${host.toLowerCase()}`, ...this.#otherOrigins().filter((o) => o !== undefined)];
    return new Set(LICENSE_PATH.test(req.url ?? '') ? [...own, ...this.#corsOrigins] : own);
  }

  /**
   * The CORS part of the answer to a request that passed check(), or null when there is none: no
   * origins allowed, or a route other than media and licenses. A foreign origin gets only Vary: Origin
   * (so no cache hands it an allowed origin's answer), and the browser blocks it.
   */
  cors(req: IncomingMessage): CorsAnswer | null {
    if (this.#corsOrigins.size === 0) return null;
    const url = req.url ?? '';
    const route = LICENSE_PATH.test(url) ? CORS_ROUTES.license : MEDIA_PATH.test(url) ? CORS_ROUTES.media : null;
    if (!route) return null;
    const origin = req.headers.origin?.toLowerCase();
    if (origin === undefined || !this.#corsOrigins.has(origin))
      return { headers: { vary: 'Origin' }, preflight: false };
    const headers: Record<string, string> = { vary: 'Origin', 'access-control-allow-origin': origin };
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (preflight) {
      headers['access-control-allow-methods'] = route.methods;
      headers['access-control-allow-headers'] = route.headers;
      headers['access-control-max-age'] = String(PREFLIGHT_MAX_AGE_S);
    } else if (route.expose) headers['access-control-expose-headers'] = route.expose;
    return { headers, preflight };
  }

  /** The reason to refuse the request (403), or null to let it through. */
  check(req: IncomingMessage): HttpError | null {
    const host = req.headers.host;
    if (!host) return new HttpError(400, 'missing-host', 'the request has no Host header');
    if (!this.#names.has(hostName(host)))
      return new HttpError(
        403,
        'forbidden-host',
        `this server answers to ${[...this.#names].join(', ')}, not ${JSON.stringify(host.slice(0, 100))} (start it with --allow-host to add a name)`,
      );
    if (req.method === 'GET' || req.method === 'HEAD' || !WRITE_PATH.test(req.url ?? '')) return null;
    const origin = req.headers.origin;
    if (origin === undefined) {
      const site = req.headers['sec-fetch-site'];
      return site === undefined || site === 'same-origin' || site === 'none'
        ? null
        : new HttpError(403, 'forbidden-origin', `a ${site} request without Origin may not write here`);
    }
    if (this.#writeOrigins(req, host).has(origin.toLowerCase())) return null;
    return new HttpError(
      403,
      'forbidden-origin',
      `writes come only from the server's own origins, not ${JSON.stringify(origin.slice(0, 100))}${LICENSE_PATH.test(req.url ?? '') ? ' (--cors-origin allows license requests from a player page there)' : ''}`,
    );
  }
}
