// Who may talk to the server. Two checks, before any route:
// - Host: the request must name one of the host names the server serves (loopback names, the
//   insecure-origin name, the bind address, names the user allows). A DNS-rebinding page, whose requests
//   carry its own host name, is refused, so it cannot read records through the victim's browser.
// - Writes (any method but GET/HEAD to /api/ or /license/): a browser's request must come from one of
//   the server's own origins. Browsers send Origin on every such request; a request without Origin
//   and without Sec-Fetch-Site is a program's (the harness, curl) and is let through, as it could send
//   any header anyway. `Origin: null` (sandboxed frames, data: URLs) is refused.
// The allowed write origins are one list (#writeOrigins); a CORS allow-list for player pages on other
// origins joins it there.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { HttpError } from './http-errors.ts';

export const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

export interface OriginPolicyOptions {
  /** Host names served besides the loopback ones (bare names, no port). */
  hostNames?: string[];
  /** The server's other origins (e.g. the HTTPS listener), read per request as they are known after listen. */
  otherOrigins?: () => (string | undefined)[];
}

const WRITE_PATH = /^\/(api|license)(\/|$|\?)/;

/** The host name of a Host header value, lower-cased, without the port ('[::1]' kept in brackets). */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.split(':', 1)[0]!;
}

export class OriginPolicy {
  readonly #names: Set<string>;
  readonly #otherOrigins: () => (string | undefined)[];

  constructor(options: OriginPolicyOptions = {}) {
    this.#names = new Set([...LOOPBACK_NAMES, ...(options.hostNames ?? []).map((n) => hostName(n))]);
    this.#otherOrigins = options.otherOrigins ?? (() => []);
  }

  get hostNames(): string[] {
    return [...this.#names];
  }

  /** Origins allowed to write, for a request that arrived with Host `host` (already checked). */
  #writeOrigins(req: IncomingMessage, host: string): Set<string> {
    const scheme = (req.socket as TLSSocket).encrypted ? 'https' : 'http';
    return new Set([`${scheme}://${host.toLowerCase()}`, ...this.#otherOrigins().filter((o) => o !== undefined)]);
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
      `writes come only from the server's own origins, not ${JSON.stringify(origin.slice(0, 100))}`,
    );
  }
}
