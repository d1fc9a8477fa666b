// The one place that reads the environment: every EME_* variable (and CI), validated, with its default.
// A bad value stops the process with a message naming the variable; nothing else reads process.env for
// these. README "Environment variables" lists them.
import { z } from 'zod';

const whole = (what: string) => z.string().regex(/^\d+$/, `${what} must be a whole number`).transform(Number);

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
  /** One run's Allure results. */
  EME_ALLURE_RESULTS: z.string().min(1).default('out/allure-results'),
  /** Upstream license servers for real DRM (server proxy mode). */
  EME_LICENSE_PROFILES: z.string().min(1).optional(),
  /** The source revision and branch a run names (else git, else GitHub's variables). */
  EME_REVISION: z.string().min(1).optional(),
  EME_BRANCH: z.string().min(1).optional(),
  /** Extra run parameters for every scenario, as a JSON object (e.g. a license profile for real DRM). */
  EME_RUN_PARAMS: z.string().min(1).optional(),
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
  allureResultsDir: string;
  licenseProfiles: string | undefined;
  revision: string | undefined;
  branch: string | undefined;
  runParams: string | undefined;
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
    allureResultsDir: e.EME_ALLURE_RESULTS,
    licenseProfiles: e.EME_LICENSE_PROFILES,
    revision: e.EME_REVISION,
    branch: e.EME_BRANCH,
    runParams: e.EME_RUN_PARAMS,
  };
}
