// @ts-check
// The run-level key-system profile: which key system the steps ask for, and which license profile
// (server/license-proxy.ts) answers the CDM's messages. The server hands it over with the run
// (GET /api/runs/:id); Clear Key through the local key store unless the run names another.

export const CLEAR_KEY = 'org.w3.clearkey';

/**
 * @typedef {object} KeySystemProfile
 * @property {string} name The key system name requestMediaKeySystemAccess() is asked for.
 * @property {string | null} licenseProfile The upstream license profile for real DRM, or null for the local key store.
 */

/**
 * The profile a run carries, or Clear Key (with the run's licenseProfile parameter, as before the
 * server sent profiles) when it carries none.
 * @param {{ keySystem?: KeySystemProfile, params?: Record<string, unknown> }} run
 * @returns {KeySystemProfile}
 */
export function keySystemOf(run) {
  if (run.keySystem) return run.keySystem;
  const licenseProfile = run.params?.['licenseProfile'];
  return { name: CLEAR_KEY, licenseProfile: typeof licenseProfile === 'string' ? licenseProfile : null };
}
