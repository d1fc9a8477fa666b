// The harness server: static pages and media, the Clear Key license endpoint, and the run recorder.
import express, { type Request } from 'express';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { RequestListener } from 'node:http';
import { Evidence, PageTimeline } from '../model/record.ts';
import { findScenario } from '../harness/catalog.ts';
import type { KeyStore } from '../model/keystore.ts';
import { RUN_ID, type RunStore } from './run-store.ts';
import { HttpError, jsonErrorHandler, notFound } from './http-errors.ts';
import { RunFaults } from './faults.ts';
import { FaultRules } from '../model/faults.ts';
import { checkPageParams } from '../model/page-params.ts';
import { LICENSE_BODY_LIMIT, createLicenseHandler } from './license-endpoint.ts';
import type { LicenseProfiles } from './license-proxy.ts';

export interface AppOptions {
  store: RunStore;
  keys: KeyStore;
  /** Upstream license profiles for real DRM (proxy mode). */
  profiles?: LicenseProfiles;
  pagesDir?: string;
  mediaDir?: string;
  dashboardDir?: string;
  /** Other origins the same server answers on, for the context scenarios (second origin, insecure host). */
  origins?: Origins;
}

export interface Origins {
  /** The HTTPS listener, a second origin (e.g. https://127.0.0.1:8788). */
  https?: string;
  /** A plain-HTTP origin under a non-loopback host name the browsers map to 127.0.0.1 (e.g. http://eme.test:8787). */
  insecure?: string;
}

export const LIMITS = {
  licenseBody: LICENSE_BODY_LIMIT,
  timelineBody: 8 * 1024 * 1024,
  maxWaitMs: 120_000,
} as const;

const CreateRun = z.strictObject({
  scenario: z.string().min(1).max(128),
  params: z.record(z.string(), z.unknown()).default({}),
  project: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\w.+-]+$/, 'letters, digits, . _ + - only'),
});

const WaitQuery = z.object({
  wait: z.coerce.number().int().min(0).max(LIMITS.maxWaitMs).default(0),
});

function runIdParam(req: Request): string {
  const id = req.params['runId'];
  if (typeof id !== 'string' || !RUN_ID.test(id)) {
    throw new HttpError(
      400,
      'bad-run-id',
      `run id must be a UUID as POST /api/runs returns it, got ${JSON.stringify(id)}`,
    );
  }
  return id;
}

export interface ServerApp {
  /** The node:http request listener: the license endpoint first, then the Express app. */
  listener: RequestListener;
  app: express.Express;
}

export function createServerApp(options: AppOptions): ServerApp {
  // Per-run fault rules, shared by run creation (API) and the license endpoint.
  const faults = new Map<string, RunFaults>();
  const app = createApp(options, faults);
  const license = createLicenseHandler({
    store: options.store,
    keys: options.keys,
    faults,
    ...(options.profiles ? { profiles: options.profiles } : {}),
  });
  return {
    app,
    listener: (req, res) => {
      if (!license(req, res)) app(req, res);
    },
  };
}

/**
 * The run-level key-system profile the page steps use (pages/js/key-system.js): Clear Key through the
 * local key store, unless the run names a key system, or a license profile whose key system it is.
 */
function keySystemProfile(
  params: Record<string, unknown>,
  profiles: LicenseProfiles | undefined,
): { name: string; licenseProfile: string | null } {
  const licenseProfile = typeof params['licenseProfile'] === 'string' ? params['licenseProfile'] : null;
  const named = typeof params['keySystem'] === 'string' ? params['keySystem'] : undefined;
  return {
    name: named ?? (licenseProfile ? profiles?.profiles[licenseProfile]?.keySystem : undefined) ?? 'org.w3.clearkey',
    licenseProfile,
  };
}

function createApp(options: AppOptions, faultState: Map<string, RunFaults>): express.Express {
  const { store, keys } = options;
  const pagesDir = resolve(options.pagesDir ?? 'pages');
  const mediaDir = resolve(options.mediaDir ?? 'media');
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/api/health', (_req, res) => {
    res.json({ ok: true, keys: keys.size });
  });

  app.post('/api/runs', express.json({ limit: '64kb' }), async (req, res) => {
    if (!req.is('application/json'))
      throw new HttpError(415, 'unsupported-media-type', 'send the run as application/json');
    const input = CreateRun.parse(req.body);
    const scenario = findScenario(input.scenario);
    if (!scenario)
      throw new HttpError(404, 'unknown-scenario', `no scenario with id ${JSON.stringify(input.scenario)}`);
    const params = { ...scenario.page.params, ...input.params };
    const faults = FaultRules.safeParse(params['faults'] ?? []);
    if (!faults.success) throw new HttpError(400, 'invalid-faults', `params.faults: ${z.prettifyError(faults.error)}`);
    // The page module's own parameters (model/page-params.ts), so a bad one is named here, not met in the page.
    const problems = checkPageParams(scenario.page.module, params);
    if (problems.length) {
      const list = problems.slice(0, 10);
      throw new HttpError(
        400,
        'invalid-params',
        `${list.map((p) => `${p.field}: ${p.message}`).join('; ')} (page module ${scenario.page.module})`,
        { field: list[0]!.field, problems: list },
      );
    }
    const meta = await store.create(input);
    faultState.set(meta.id, new RunFaults(faults.data));
    res.status(201).json({ ...meta, runnerPath: `/runner.html?run=${meta.id}` });
  });

  // What the runner page needs to start: which page module, with which parameters.
  app.get('/api/runs/:runId', (req, res) => {
    const id = runIdParam(req);
    const meta = store.meta(id);
    if (!meta) throw new HttpError(404, 'unknown-run', `no run with id ${id}`);
    const scenario = findScenario(meta.scenario);
    const params = { ...scenario?.page.params, ...meta.params };
    res.json({
      ...meta,
      module: scenario?.page.module,
      params,
      keyIds: keys.keyIds(),
      origins: options.origins ?? {},
      keySystem: keySystemProfile(params, options.profiles),
    });
  });

  app.post('/api/runs/:runId/timeline', express.json({ limit: LIMITS.timelineBody }), async (req, res) => {
    const id = runIdParam(req);
    if (!req.is('application/json'))
      throw new HttpError(415, 'unsupported-media-type', 'send the timeline as application/json');
    if (!store.has(id)) throw new HttpError(404, 'unknown-run', `no run with id ${id}`);
    const timeline = PageTimeline.parse(req.body);
    const result = await store.finish(id, timeline);
    if (result === 'already-finished')
      throw new HttpError(
        409,
        'run-finished',
        `run ${id} already has its timeline, or was marked incomplete when the server restarted`,
      );
    res.status(201).json({ stored: timeline.entries.length });
  });

  // What the test saw from outside the page (e.g. the picture check), kept with the run. Answers the
  // run's joined record with the evidence in it, so the caller need not read the record again.
  app.post('/api/runs/:runId/evidence', express.json({ limit: '64kb' }), async (req, res) => {
    const id = runIdParam(req);
    if (!req.is('application/json'))
      throw new HttpError(415, 'unsupported-media-type', 'send evidence as application/json');
    if (!store.has(id)) throw new HttpError(404, 'unknown-run', `no run with id ${id}`);
    await store.addEvidence(id, Evidence.parse(req.body));
    res.status(201).json(store.record(id));
  });

  app.get('/api/runs/:runId/record', async (req, res) => {
    const id = runIdParam(req);
    const { wait } = WaitQuery.parse(req.query);
    res.json(await store.waitForFinish(id, wait));
  });

  // Only the media itself is served: the key store sits in media/ too, and an allow-list cannot be
  // walked around with ./, // or %-encoded names the way a block-list can.
  const mediaStatic = { fallthrough: true, dotfiles: 'deny', index: false } as const;
  app.use('/media/clear', express.static(resolve(mediaDir, 'clear'), mediaStatic));
  app.use('/media/encrypted', express.static(resolve(mediaDir, 'encrypted'), mediaStatic));
  app.get('/media/manifest.json', (_req, res, next) =>
    res.sendFile(resolve(mediaDir, 'manifest.json'), (err) => err && next(err)),
  );
  // The dashboard, when `eme-compat dashboard` has built it.
  app.use(
    '/dashboard',
    express.static(resolve(options.dashboardDir ?? 'out/dashboard'), { fallthrough: true, dotfiles: 'deny' }),
  );
  // The context frame, served once more with a policy that turns EME off (?policy=none).
  app.get('/context-frame.html', (req, res, next) => {
    if (req.query['policy'] === 'none') res.set('Permissions-Policy', 'encrypted-media=()');
    next();
  });
  app.use(express.static(pagesDir, { fallthrough: true, dotfiles: 'deny' }));
  app.use(notFound);
  app.use(jsonErrorHandler);
  return app;
}
