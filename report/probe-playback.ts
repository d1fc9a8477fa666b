// Probe against playback: what the capability probes claimed before a player played (the harness's own
// requestMediaKeySystemAccess for the asset, and the player's, e.g. Shaka's probeSupport()) set against
// whether it played. Read from the player scenarios' findings (harness/judge/player.ts); the per-browser
// HTML and the console summary list the rows, mismatches first.
import type { ScenarioResult } from '../model/results.ts';

interface Claim {
  supported: boolean;
  detail: string;
}

export interface ProbeRow {
  scenario: string;
  player: string;
  harness: Claim;
  /** null: the player has no probe of its own. */
  playerProbe: Claim | null;
  played: boolean;
  /** false when the player failed on its own: playback then says nothing about the browser. */
  comparable: boolean;
  /** Which probes claimed otherwise than playback showed (empty: they agree, or not comparable). */
  mismatches: string[];
}

function isClaim(x: unknown): x is Claim {
  return !!x && typeof x === 'object' && typeof (x as Claim).supported === 'boolean';
}

export function probeRows(scenarios: ScenarioResult[]): ProbeRow[] {
  const rows: ProbeRow[] = [];
  for (const s of scenarios) {
    const probes = s.findings?.['probes'] as Record<string, unknown> | undefined;
    if (!probes || !isClaim(probes['harness'])) continue;
    const playerProbe = isClaim(probes['player']) ? probes['player'] : null;
    const played = probes['played'] === true;
    const comparable = probes['comparable'] !== false;
    const mismatches = comparable
      ? [
          ...(probes['harness'].supported !== played ? ['harness'] : []),
          ...(playerProbe && playerProbe.supported !== played ? ['player'] : []),
        ]
      : [];
    rows.push({
      scenario: s.id,
      player: s.player ? `${s.player.npmPackage}@${s.player.version}` : '',
      harness: probes['harness'],
      playerProbe,
      played,
      comparable,
      mismatches,
    });
  }
  return rows.sort((a, b) => b.mismatches.length - a.mismatches.length || a.scenario.localeCompare(b.scenario));
}
