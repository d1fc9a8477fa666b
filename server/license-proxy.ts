// Real DRM through the harness: a license profile names a key system and an upstream license server
// (with headers, e.g. a test token). In proxy mode the endpoint forwards the CDM's message as is,
// records what went up and what came back, and returns the upstream's answer unchanged.
// Secrets stay out of records and answers: the upstream URL is recorded without its user, password
// and query values, and error messages are scrubbed of them. Redirects are followed by hand: 307/308
// (which keep the POST and its body) up to 5 times, carrying the profile's headers and credentials
// only to the upstream's own origin; 301/302/303 would turn the license POST into a GET and are
// answered as a 502 naming the redirect.
import { z } from 'zod';
import { readJsonFile } from '../model/json-file.ts';

export const LicenseProfile = z.strictObject({
  keySystem: z.string().min(1),
  upstream: z.string().url(),
  headers: z.record(z.string(), z.string()).default({}),
  timeoutMs: z.number().int().min(100).max(60_000).default(15_000),
});
export type LicenseProfile = z.infer<typeof LicenseProfile>;

export const LicenseProfiles = z.strictObject({
  profiles: z.record(
    z
      .string()
      .regex(/^[\w-]{1,32}$/)
      .refine((name) => !(name in Object.prototype), 'a profile may not be named like an Object.prototype member'),
    LicenseProfile,
  ),
});
export type LicenseProfiles = z.infer<typeof LicenseProfiles>;

export function loadLicenseProfiles(path: string): LicenseProfiles {
  return readJsonFile(path, LicenseProfiles, 'license profiles');
}

/** The profile named `name`, never an inherited property (`__proto__`, `constructor`). */
export function findProfile(profiles: LicenseProfiles | undefined, name: string): LicenseProfile | undefined {
  return profiles && Object.hasOwn(profiles.profiles, name) ? profiles.profiles[name] : undefined;
}

const MAX_REDIRECTS = 5;

/** The URL as it may be recorded or shown: no user or password, every query value replaced. */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '(unparsable URL)';
  }
  if (url.username || url.password) {
    url.username = 'redacted';
    url.password = '';
  }
  for (const key of [...new Set(url.searchParams.keys())]) url.searchParams.set(key, 'redacted');
  url.hash = '';
  return url.toString();
}

/** The secrets of an upstream URL (user, password, query values) and of the profile's headers. */
function secretsOf(url: URL, headers: Record<string, string>): string[] {
  const raw = [
    url.username,
    url.password,
    decodeURIComponent(url.username),
    decodeURIComponent(url.password),
    ...url.searchParams.values(),
    ...Object.values(headers),
  ];
  return [...new Set(raw.filter((s) => s.length >= 3))].sort((a, b) => b.length - a.length);
}

/** `text` with every secret replaced. */
export function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('[redacted]');
  return out;
}

export interface UpstreamAnswer {
  status: number;
  contentType: string | null;
  body: Buffer;
  durationMs: number;
  /** What went wrong, for the record and the 502/504 answer; free of secrets. */
  error: string | null;
  errorCode: 'upstream-timeout' | 'upstream-unreachable' | 'upstream-redirect' | null;
  /** The URL that answered, redacted. */
  url: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Forwards one license message; network failures, timeouts and refused redirects come back as error, 502/504. */
export async function forwardLicense(profile: LicenseProfile, body: Buffer): Promise<UpstreamAnswer> {
  const started = performance.now();
  const first = new URL(profile.upstream);
  const secrets = secretsOf(first, profile.headers);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), profile.timeoutMs);
  let url = first;
  const answer = (a: Omit<UpstreamAnswer, 'durationMs' | 'url'>): UpstreamAnswer => ({
    ...a,
    error: a.error === null ? null : scrub(a.error, secrets),
    durationMs: performance.now() - started,
    url: redactUrl(url.toString()),
  });
  try {
    for (let hop = 0; ; hop++) {
      // fetch refuses a URL with credentials: they go as Basic authorization, to the upstream's origin only.
      const sameOrigin = url.origin === first.origin;
      const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
      if (sameOrigin) {
        Object.assign(headers, profile.headers);
        if (first.username || first.password)
          headers['authorization'] ??=
            `Basic ${Buffer.from(`${decodeURIComponent(first.username)}:${decodeURIComponent(first.password)}`).toString('base64')}`;
      }
      const target = new URL(url);
      target.username = '';
      target.password = '';
      const res = await fetch(target, {
        method: 'POST',
        body: new Uint8Array(body),
        headers,
        redirect: 'manual',
        signal: abort.signal,
      });
      if (REDIRECTS.has(res.status)) {
        await res.body?.cancel();
        const location = res.headers.get('location');
        const next = location ? new URL(location, url) : null;
        const refused =
          !next || !/^https?:$/.test(next.protocol)
            ? 'without a usable Location'
            : res.status !== 307 && res.status !== 308
              ? `to ${redactUrl(next.toString())}; only 307 and 308 are followed, as they keep the POST and its body`
              : hop >= MAX_REDIRECTS
                ? `more than ${MAX_REDIRECTS} times`
                : null;
        if (refused)
          return answer({
            status: 502,
            contentType: null,
            body: Buffer.alloc(0),
            error: `upstream redirected (HTTP ${res.status}) ${refused}`,
            errorCode: 'upstream-redirect',
          });
        url = next!;
        continue;
      }
      return answer({
        status: res.status,
        contentType: res.headers.get('content-type'),
        body: Buffer.from(await res.arrayBuffer()),
        error: null,
        errorCode: null,
      });
    }
  } catch (err) {
    const timedOut = abort.signal.aborted;
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    return answer({
      status: timedOut ? 504 : 502,
      contentType: null,
      body: Buffer.alloc(0),
      errorCode: timedOut ? 'upstream-timeout' : 'upstream-unreachable',
      error: timedOut
        ? `upstream did not answer within ${profile.timeoutMs} ms`
        : `upstream unreachable: ${(err as Error).message}${cause ? ` (${cause})` : ''}`,
    });
  } finally {
    clearTimeout(timer);
  }
}
