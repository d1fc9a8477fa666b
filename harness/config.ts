// The one place that reads the environment: every EME_* variable (and CI), validated, with its default.
// A bad value stops the process with a message naming the variable; nothing else reads process.env for
// these. README "Environment variables" lists them.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

const whole = (what: string) => z.string().regex(/^\d+$/, `${what} must be a whole number`).transform(Number);

/**
 * `value` as a browser writes it in the Origin header (scheme://host[:port]: lower case, no default port,
 * no path), or an Error saying why it is not an origin. Hosts are DNS names or IP addresses only.
 */
export function webOrigin(value: string): string {
  const raw = value.trim();
  const example = 'write scheme://host[:port], e.g. https://player.example:8443';
  if (raw === '*') throw new Error(`"*" is not allowed: name each origin (${example})`);
  if (raw.toLowerCase() === 'null')
    throw new Error('"null" (sandboxed frames, data: URLs) cannot be allowed: any page can send it');
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {}
  if (!url || !/^[a-z][\w+.-]*:\/\/[^/?#]+\/?$/i.test(raw))
    throw new Error(`${JSON.stringify(value)} is not an origin (${example}; no path, query or fragment)`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`${JSON.stringify(value)}: an origin here is http: or https:, not ${url.protocol}`);
  if (url.username || url.password) throw new Error(`${JSON.stringify(value)}: an origin has no user name or password`);
  if (!/^([a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:.]+\]$/.test(url.hostname))
    throw new Error(`${JSON.stringify(value)}: the host must be a DNS name or an IP address`);
  return url.origin;
}

/** A comma-separated list of origins, each checked by webOrigin; blanks between commas are ignored. */
const OriginList = z.string().transform((list, ctx) => {
  const found: string[] = [];
  for (const item of list.split(',').filter((o) => o.trim() !== '')) {
    try {
      found.push(webOrigin(item));
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }
  return [...new Set(found)];
});

const Environment = z.object({
  /** Browser set name(s), comma-joined, or a JSON file of profiles. */
  EME_BROWSERS: z.string().min(1).default('debian'),
  /** Port of the harness server (HTTPS on port + 1). */
  EME_PORT: whole('EME_PORT').default(8787),
  /** A harness server that already runs (remote browsers); the run starts none. */
  EME_BASE_URL: z.url().optional(),
  /** Folder of the server's run records for this invocation. */
  EME_RUNS_DIR: z.string().min(1).optional(),
  EME_WORKERS: whole('EME_WORKERS').optional(),
  EME_RETRIES: whole('EME_RETRIES').optional(),
  /** Where the compatibility reports of a run go. */
  EME_REPORT_DIR: z.string().min(1).default('reports'),
  /** The results history (one folder per run); 'off' keeps none. */
  EME_RESULTS_DIR: z.string().min(1).default('results'),
  /** How long runs keep their full reports in the history ("all", "<runs>", "<days>d" or "<runs>,<days>d"); summaries stay. */
  EME_RESULTS_RETENTION: z
    .string()
    .regex(/^(all|\d+|\d+d|\d+,\d+d)$/i, 'EME_RESULTS_RETENTION must be "all", "<runs>", "<days>d" or "<runs>,<days>d"')
    .default('30'),
  /** One run's Allure results. */
  EME_ALLURE_RESULTS: z.string().min(1).default('out/allure-results'),
  /** Upstream license servers for real DRM (server proxy mode). */
  EME_LICENSE_PROFILES: z.string().min(1).optional(),
  /** Origins of player pages elsewhere that may fetch media and licenses (CORS), comma-separated. */
  EME_CORS_ORIGINS: OriginList.default([]),
  /** The source revision and branch a run names (else git, else GitHub's variables). */
  EME_REVISION: z.string().min(1).optional(),
  EME_BRANCH: z.string().min(1).optional(),
  /** Extra run parameters for every scenario, as a JSON object (e.g. a license profile for real DRM). */
  EME_RUN_PARAMS: z.string().min(1).optional(),
  /** Where versioned browser builds are downloaded and unpacked (`eme-compat browsers install`). */
  EME_BROWSER_CACHE: z.string().min(1).optional(),
  CI: z.string().optional(),
});

export interface Config {
  browsers: string;
  port: number;
  baseURL: string;
  /** True when EME_BASE_URL named a server that already runs. */
  externalServer: boolean;
  runsDir: string | undefined;
  workers: number | undefined;
  retries: number;
  ci: boolean;
  reportDir: string;
  /** null: EME_RESULTS_DIR=off. */
  resultsDir: string | null;
  /** EME_RESULTS_RETENTION as written (report/store/store.ts parses it). */
  resultsRetention: string;
  allureResultsDir: string;
  licenseProfiles: string | undefined;
  /** EME_CORS_ORIGINS, each normalised as browsers send it; empty: no CORS (the default). */
  corsOrigins: string[];
  revision: string | undefined;
  branch: string | undefined;
  runParams: string | undefined;
  /** Versioned browser builds: downloads and one unpacked folder per build. */
  browserCache: string;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Environment.safeParse(
    Object.fromEntries(Object.entries(env).filter(([k, v]) => (k.startsWith('EME_') || k === 'CI') && v !== '')),
  );
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.')}=${JSON.stringify(env[String(i.path[0])])}: ${i.message}`,
    );
    throw new Error(`bad environment: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const ci = !!e.CI && e.CI !== 'false' && e.CI !== '0';
  return {
    browsers: e.EME_BROWSERS,
    port: e.EME_PORT,
    baseURL: e.EME_BASE_URL ?? `http://127.0.0.1:${e.EME_PORT}`,
    externalServer: e.EME_BASE_URL !== undefined,
    runsDir: e.EME_RUNS_DIR,
    workers: e.EME_WORKERS,
    retries: e.EME_RETRIES ?? (ci ? 1 : 0),
    ci,
    reportDir: e.EME_REPORT_DIR,
    resultsDir: e.EME_RESULTS_DIR === 'off' ? null : e.EME_RESULTS_DIR,
    resultsRetention: e.EME_RESULTS_RETENTION,
    allureResultsDir: e.EME_ALLURE_RESULTS,
    licenseProfiles: e.EME_LICENSE_PROFILES,
    corsOrigins: e.EME_CORS_ORIGINS,
    revision: e.EME_REVISION,
    branch: e.EME_BRANCH,
    runParams: e.EME_RUN_PARAMS,
    browserCache:
      e.EME_BROWSER_CACHE ?? join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'eme-compat', 'browsers'),
  };
}
