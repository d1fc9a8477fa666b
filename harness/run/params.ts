// Extra run parameters for every scenario, from EME_RUN_PARAMS (read by harness/config.ts) as JSON:
// e.g. a license profile for real DRM,
// EME_RUN_PARAMS='{"licenseProfile":"widevine","keySystem":"com.widevine.alpha","initDataType":"cenc","keyIds":["…"]}'.
export function parseRunParams(raw: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  try {
    const value = JSON.parse(raw) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new Error(`EME_RUN_PARAMS must be a JSON object, got ${raw.slice(0, 100)}`);
}
