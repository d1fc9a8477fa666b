// Real DRM through the harness: a license profile names a key system and an upstream license server
// (with headers, e.g. a test token). In proxy mode the endpoint forwards the CDM's message as is,
// records what went up and what came back, and returns the upstream's answer unchanged.
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
  profiles: z.record(z.string().regex(/^[\w-]{1,32}$/), LicenseProfile),
});
export type LicenseProfiles = z.infer<typeof LicenseProfiles>;

export function loadLicenseProfiles(path: string): LicenseProfiles {
  return readJsonFile(path, LicenseProfiles, 'license profiles');
}

export interface UpstreamAnswer {
  status: number;
  contentType: string | null;
  body: Buffer;
  durationMs: number;
  error: string | null;
}

/** Forwards one license message; network failures and timeouts come back as error, status 502/504. */
export async function forwardLicense(profile: LicenseProfile, body: Buffer): Promise<UpstreamAnswer> {
  const started = performance.now();
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), profile.timeoutMs);
  try {
    const res = await fetch(profile.upstream, {
      method: 'POST',
      body: new Uint8Array(body),
      headers: { 'content-type': 'application/octet-stream', ...profile.headers },
      signal: abort.signal,
    });
    const answer = Buffer.from(await res.arrayBuffer());
    return {
      status: res.status,
      contentType: res.headers.get('content-type'),
      body: answer,
      durationMs: performance.now() - started,
      error: null,
    };
  } catch (err) {
    const timedOut = abort.signal.aborted;
    return {
      status: timedOut ? 504 : 502,
      contentType: null,
      body: Buffer.alloc(0),
      durationMs: performance.now() - started,
      error: timedOut
        ? `upstream did not answer within ${profile.timeoutMs} ms`
        : `upstream unreachable: ${(err as Error).message}`,
    };
  } finally {
    clearTimeout(timer);
  }
}
