// The parameters of each page module (pages/js/scenarios/<module>.js): what the catalog passes it,
// merged with the parameters a run is registered with. The server checks them when a run is
// registered (POST /api/runs), so a misspelt or wrong-typed parameter is a 400 naming the field rather
// than a page that runs with its default; the catalog's entries are typed by them.
import { z } from 'zod';
import { FaultRules } from './faults.ts';
import { IdlShape } from './idl/shape.ts';
import { PlayerName, StreamFormat } from './players.ts';

/** A key store label ('key-1'); the page asks the run for its key id. */
const KeyLabel = z.string().min(1).max(64);
/** The case ids a case-table module runs, in order. */
const CaseIds = z.array(z.string().min(1).max(200)).min(1).max(500);

export const InitDataType = z.enum(['keyids', 'cenc', 'webm']);
export type InitDataType = z.infer<typeof InitDataType>;

/** How the playback module makes its sessions and delivers licenses. */
export const PlaybackMode = z.enum([
  'reference',
  'basic',
  'wrong-key',
  'waiting-for-key',
  'delayed-license',
  'clear-lead',
  'one-session',
  'session-per-key',
  'rotation',
  'keys-after-src',
  'keys-in-encrypted',
  'keys-after-update',
]);
export type PlaybackMode = z.infer<typeof PlaybackMode>;

/** What the license-fault module does after its first license exchange. */
export const FaultThen = z.enum(['retry', 'duplicate', 'update-after-close']);
export type FaultThen = z.infer<typeof FaultThen>;

/**
 * Parameters any run may carry, whatever its module: license endpoint faults (the server injects them),
 * and the run's key-system profile (server/app.ts hands it to the steps): the key system to ask for and
 * the upstream license profile that answers instead of the local key store (real DRM).
 */
export const RUN_PARAMS = {
  faults: FaultRules.optional(),
  licenseProfile: z.string().min(1).max(64).optional(),
  keySystem: z.string().min(1).max(128).optional(),
};

export const PAGE_MODULES = {
  probe: z.strictObject({
    ...RUN_PARAMS,
    keySystems: z.array(z.string().min(1)).min(1),
    initDataTypes: z.array(z.string().min(1)).min(1),
    sessionTypes: z.array(z.string().min(1)).min(1),
    /** 'absent' probes a configuration without the member. */
    encryptionSchemes: z.array(z.string().min(1)).min(1),
  }),
  'lifecycle-temporary': z.strictObject({
    ...RUN_PARAMS,
    initDataType: InitDataType,
    keys: z.array(KeyLabel).min(1),
    /** Real DRM through a license profile: the key ids (hex) its server knows. */
    keyIds: z
      .array(z.string().regex(/^([0-9a-fA-F]{2})+$/, 'hex bytes'))
      .min(1)
      .optional(),
  }),
  'lifecycle-persistent': z.strictObject({ ...RUN_PARAMS, initDataType: InitDataType, keys: z.array(KeyLabel).min(1) }),
  playback: z.strictObject({
    ...RUN_PARAMS,
    /** An asset of media/manifest.json. */
    asset: z.string().min(1),
    mode: PlaybackMode.optional(),
    /** The currentTime (seconds) playback must pass. */
    target: z.number().positive().max(60).optional(),
    /** Play only these track types of the asset. */
    tracks: z
      .array(z.enum(['audio', 'video']))
      .min(1)
      .optional(),
  }),
  'license-fault': z.strictObject({
    ...RUN_PARAMS,
    keys: z.array(KeyLabel).min(1),
    // biome-ignore lint/suspicious/noThenProperty: a catalog parameter (what the page does after the fault), never awaited
    then: FaultThen.optional(),
    clientTimeoutMs: z.number().int().min(100).max(60_000).optional(),
  }),
  'access-rules': z.strictObject({ ...RUN_PARAMS, cases: CaseIds }),
  'session-rules': z.strictObject({
    ...RUN_PARAMS,
    cases: CaseIds,
    needs: z.array(z.enum(['getStatusForPolicy'])).optional(),
  }),
  context: z.strictObject({ ...RUN_PARAMS, cases: CaseIds }),
  sessions: z.strictObject({
    ...RUN_PARAMS,
    cases: CaseIds,
    keys: z.array(KeyLabel).min(1).optional(),
    sessions: z.number().int().min(1).max(64).optional(),
  }),
  'persistent-pages': z.strictObject({ ...RUN_PARAMS, cases: CaseIds, key: KeyLabel.optional() }),
  'media-element': z.strictObject({ ...RUN_PARAMS, cases: CaseIds }),
  'never-reports': z.strictObject({ ...RUN_PARAMS }),
  'conformance-access': z.strictObject({ ...RUN_PARAMS, cases: CaseIds }),
  'conformance-sessions': z.strictObject({ ...RUN_PARAMS, cases: CaseIds }),
  /** A player (model/players.ts) plays an asset through its DASH MPD or HLS playlist, traced. */
  player: z.strictObject({
    ...RUN_PARAMS,
    player: PlayerName,
    format: StreamFormat,
    /** An asset of media/manifest.json with a manifest in `format`. */
    asset: z.string().min(1),
    /** The currentTime (seconds) playback must pass. */
    target: z.number().positive().max(60).optional(),
  }),
  /** The interface shape harness/idl.ts derives from the spec's WebIDL, and where to look at it from. */
  'idl-shape': z.strictObject({ ...RUN_PARAMS, shape: IdlShape, context: z.enum(['secure', 'insecure']) }),
};

export type PageModule = keyof typeof PAGE_MODULES;
/** The parameters of a module as the catalog writes them. */
export type PageParams<M extends PageModule> = z.input<(typeof PAGE_MODULES)[M]>;

/** One problem with a run's parameters, named by field ('params.keys.0'). */
export interface ParamProblem {
  field: string;
  message: string;
}

/** Checks a module's parameters; the problems name the fields (an unknown parameter by its own name). */
export function checkPageParams(module: PageModule, params: unknown): ParamProblem[] {
  const parsed = PAGE_MODULES[module].safeParse(params);
  if (parsed.success) return [];
  return parsed.error.issues.flatMap((issue) => {
    const at = ['params', ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => ({ field: `${at}.${key}`, message: `not a parameter of page module ${module}` }));
    return [{ field: at, message: issue.message }];
  });
}
