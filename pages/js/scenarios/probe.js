// @ts-check
// Capability probe: requestMediaKeySystemAccess for each key system name × init data type ×
// session type × encryption scheme, with getConfiguration() of every access granted.
// A call that never settles (a browser waiting for a CDM download, say) is recorded as such, and
// the rest of that key system's probes are not attempted.
import { mediaConfig } from '../configs.js';

/** @import { Steps } from '../steps.js' */

const PROBE_TIMEOUT_MS = 3000;

/**
 * @param {Steps} h
 * @param {{ keySystems: string[], initDataTypes: string[], sessionTypes: MediaKeySessionType[], encryptionSchemes: string[] }} params
 */
export async function run(h, { keySystems, initDataTypes, sessionTypes, encryptionSchemes }) {
  h.requireEmeApi();
  for (const keySystem of keySystems) {
    probing: for (const initDataType of initDataTypes) {
      for (const sessionType of sessionTypes) {
        for (const scheme of encryptionSchemes) {
          const encryptionScheme = scheme === 'absent' ? undefined : scheme;
          const probe = { keySystem, initDataType, sessionType, encryptionScheme: scheme };
          const config = mediaConfig({ initDataType, sessionType, encryptionScheme });
          const result = await h.requestAccess(keySystem, [config], { data: { probe }, timeoutMs: PROBE_TIMEOUT_MS });
          if (result.timedOut) {
            h.rec.note('runner', 'probes-abandoned', {
              keySystem,
              after: probe,
              reason: `a call did not settle within ${PROBE_TIMEOUT_MS} ms`,
            });
            break probing;
          }
          if (result.ok) await h.getConfiguration(result.value, { probe });
        }
      }
    }
  }
}
