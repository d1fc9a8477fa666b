// The harness server: static pages and media, the Clear Key license endpoint, and the run recorder.
import express, { type Request, type Response } from 'express';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { RequestListener } from 'node:http';
import { Evidence, PageTimeline } from '../model/record.ts';
import { findScenario } from '../harness/catalog.ts';
import type { KeyStore } from '../model/keystore.ts';
import { RUN_ID, type RunStore } from './run-store.ts';
import {
  ClientGoneError,
  drainAndClose,
  HttpError,
  jsonErrorHandler,
  notFound,
  toErrorResponse,
} from './http-errors.ts';
import { readJson, type JsonLimits } from './body.ts';
import { OriginPolicy } from './origin-policy.ts';
import { RunFaults } from './faults.ts';
import { FaultRules } from '../model/faults.ts';
import { checkPageParams } from '../model/page-params.ts';
import { LICENSE_BODY_LIMIT, createLicenseHandler } from './license-endpoint.ts';
import { findProfile, type LicenseProfiles } from './license-proxy.ts';
import { playerRoutes } from './players.ts';

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
  /** Host names served besides the loopback ones (the insecure host, the bind address, --allow-host). */
  hostNames?: string[];
  /** Player page origins allowed CORS to /media/ and /license/ (--cors-origin); none by default. */
  corsOrigins?: string[];
}

export interface Origins {
  /** The HTTPS listener, a second origin (e.g. https://127.0.0.1:8788). */
  https?: string;
  /** A plain-HTTP origin under a non-loopback host name the browsers map to 127.0.0.1 (e.g. http://eme.test:8787). */
  insecure?: string;
}

export const LIMITS = {
  licenseBody: LICENSE_BODY_LIMIT,
  registration: { size: 32 * 1024, depth: 16 },
  timeline: { size: 8 * 1024 * 1024, depth: 64 },
  evidence: { size: 8 * 1024, depth: 4 },
  maxWaitMs: 120_000,
} as const satisfies Record<string, number | JsonLimits>;

const CreateRun = z.strictObject({
  scenario: z.string().min(1).max(128),
  params: z.record(z.string(), z.unknown()).default({}),
  project: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\w.+@-]+$/, 'letters, digits, . _ + - @ only'),
});

const Wait = z.coerce.number().int().min(0).max(LIMITS.maxWaitMs);

/** A query parameter given at most once (a repeated one is refused rather than guessed at). */
function singleQuery(req: Request, name: string): string | undefined {
  const all = new URLSearchParams(req.originalUrl.split('?')[1] ?? '').getAll(name);
  if (all.length > 1) throw new HttpError(400, 'repeated-query', `${name} may be given once`);
  return all[0];
}

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
  /** The node:http request listener: the origin policy, then the license endpoint, then the Express app. */
  listener: RequestListener;
  app: express.Express;
  policy: OriginPolicy;
}

export function createServerApp(options: AppOptions): ServerApp {
  const app = createApp(options);
  const license = createLicenseHandler({
    store: options.store,
    keys: options.keys,
    ...(options.profiles ? { profiles: options.profiles } : {}),
  });
  const policy = new OriginPolicy({
    hostNames: options.hostNames ?? [],
    otherOrigins: () => [options.origins?.https, options.origins?.insecure],
    corsOrigins: options.corsOrigins ?? [],
  });
  return {
    app,
    policy,
    listener: (req, res) => {
      const refused = policy.check(req);
      if (refused) {
        const { status, body } = toErrorResponse(refused);
        const bytes = Buffer.from(JSON.stringify(body));
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': bytes.length });
        res.end(bytes);
        drainAndClose(req, res);
        return;
      }
      const cors = policy.cors(req);
      if (cors) {
        for (const [name, value] of Object.entries(cors.headers)) res.setHeader(name, value);
        if (cors.preflight) {
          res.writeHead(204);
          res.end();
          drainAndClose(req, res);
          return;
        }
      }
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
    name: named ?? (licenseProfile ? findProfile(profiles, licenseProfile)?.keySystem : undefined) ?? 'org.w3.clearkey',
    licenseProfile,
  };
}

function createApp(options: AppOptions): express.Express {
  const { store, keys } = options;
  const pagesDir = resolve(options.pagesDir ?? 'pages');
  const mediaDir = resolve(options.mediaDir ?? 'media');
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/api/health', (_req, res) => {
    res.json({ ok: true, keys: keys.size, runs: store.stats() });
  });

  /** Streams the run's record as the answer (status `status`); the record is never built whole in memory. */
  async function sendRecord(res: Response, id: string, status: number): Promise<void> {
    let started = false;
    await store.streamRecord(id, {
      write: (chunk) =>
        new Promise<void>((resolveWrite, rejectWrite) => {
          if (!started) {
            res.status(status).set('content-type', 'application/json; charset=utf-8');
            started = true;
          }
          if (res.destroyed) return rejectWrite(new ClientGoneError());
          if (res.write(chunk)) return resolveWrite();
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            if (res.destroyed) rejectWrite(new ClientGoneError());
            else resolveWrite();
          };
          res.on('drain', done);
          res.on('close', done);
        }),
    });
    res.end();
  }

  /** 404 for a run this server never had, 409 for one that is finished or incomplete. */
  async function requireLive(id: string, what: string): Promise<void> {
    const where = await store.lookup(id);
    if (where === 'unknown') throw new HttpError(404, 'unknown-run', `no run with id ${id}`);
    if (where === 'closed')
      throw new HttpError(
        409,
        'run-finished',
        `run ${id} already has its timeline, or is incomplete (the server that ran it stopped); it takes no ${what}`,
      );
  }

  app.post('/api/runs', async (req, res) => {
    const input = CreateRun.parse(await readJson(req, LIMITS.registration, 'the run'));
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
    const meta = await store.create(input, new RunFaults(faults.data));
    res.status(201).json({ ...meta, runnerPath: `/runner.html?run=${meta.id}` });
  });

  // What the runner page needs to start: which page module, with which parameters.
  app.get('/api/runs/:runId', async (req, res) => {
    const id = runIdParam(req);
    const meta = await store.meta(id);
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

  app.post('/api/runs/:runId/timeline', async (req, res) => {
    const id = runIdParam(req);
    await requireLive(id, 'second timeline');
    const timeline = PageTimeline.parse(await readJson(req, LIMITS.timeline, 'the timeline'));
    const result = await store.finish(id, timeline);
    if (result === 'already-finished')
      throw new HttpError(409, 'run-finished', `run ${id} already has its timeline, or is incomplete`);
    res.status(201).json({ stored: timeline.entries.length });
  });

  // What the test saw from outside the page (e.g. the picture check), kept with the run. Answers the
  // run's joined record with the evidence in it, so the caller need not read the record again.
  app.post('/api/runs/:runId/evidence', async (req, res) => {
    const id = runIdParam(req);
    if ((await store.lookup(id)) === 'unknown') throw new HttpError(404, 'unknown-run', `no run with id ${id}`);
    const evidence = Evidence.parse(await readJson(req, LIMITS.evidence, 'the evidence'));
    await store.addEvidence(id, evidence);
    await sendRecord(res, id, 201);
  });

  app.get('/api/runs/:runId/record', async (req, res) => {
    const id = runIdParam(req);
    const raw = singleQuery(req, 'wait');
    const wait = raw === undefined ? 0 : Wait.parse(raw);
    if ((await store.lookup(id)) === 'unknown') throw new HttpError(404, 'unknown-run', `no run with id ${id}`);
    await store.waitForFinish(id, wait);
    await sendRecord(res, id, 200);
  });

  // Only the media itself is served: the key store sits in media/ too, and an allow-list cannot be
  // walked around with ./, // or %-encoded names the way a block-list can.
  const mediaStatic = { fallthrough: true, dotfiles: 'deny', index: false } as const;
  app.use('/media/clear', express.static(resolve(mediaDir, 'clear'), mediaStatic));
  app.use('/media/encrypted', express.static(resolve(mediaDir, 'encrypted'), mediaStatic));
  app.get('/media/manifest.json', (_req, res, next) =>
    res.sendFile(resolve(mediaDir, 'manifest.json'), (err) => err && next(err)),
  );
  app.use(playerRoutes());
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
