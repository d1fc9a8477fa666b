// The player group (K): every player × every streaming format it plays × every encrypted asset the
// format can carry, as catalog data. The wrong-key control and the sample-entries rotation layout stay
// in the playback group: they test the browser and the media layout, not a player.
import type { AssetInfo, Manifest } from '../model/manifest.ts';
import { PLAYERS, PLAYER_NAMES, type PlayerName, type StreamFormat } from '../model/players.ts';
import { pageOf, type Scenario } from './scenario.ts';

/** The assets players play: the encrypted ones a player meets in the field. */
export const PLAYER_ASSETS = [
  'h264-cenc',
  'h264-cbcs',
  'h264-cenc-multikey',
  'h264-cenc-clearlead',
  'h264-cenc-rotation',
  'vp9-opus-webm',
] as const;

/** How far playback must get: past the 1 s frame the picture check holds. */
export const PLAYER_TARGET_SECONDS = 1.5;

const FORMAT_TITLE: Record<StreamFormat, string> = { dash: 'DASH', hls: 'HLS' };

export function playerScenarioId(player: PlayerName, format: StreamFormat, asset: string): string {
  return `player.${player}.${format}.${asset}`;
}

function manifestUrl(asset: AssetInfo, format: StreamFormat): string | null {
  return (format === 'dash' ? asset.dash : asset.hls) ?? null;
}

function playerScenario(player: PlayerName, format: StreamFormat, id: string, asset: AssetInfo): Scenario {
  const info = PLAYERS[player];
  return {
    id: playerScenarioId(player, format, id),
    title: `${info.title} plays ${id} (${FORMAT_TITLE[format]})`,
    group: 'K',
    spec: [
      '#dom-navigator-requestmediakeysystemaccess',
      '#dom-mediakeysession-generaterequest',
      '#update-key-statuses',
    ],
    needs: [
      `player: ${info.npmPackage} (npm, pinned)`,
      `media: ${id} (${FORMAT_TITLE[format]})`,
      'license endpoint',
      'Media Source Extensions',
    ],
    expected: `${info.title} loads ${manifestUrl(asset, format)}, asks the run's license endpoint for every key, and plays past ${PLAYER_TARGET_SECONDS} s with the clear rendition's picture and no player error; its EME conversation runs requestMediaKeySystemAccess → createSession → generateRequest → message → update → keystatuseschange (usable). What the harness's and the player's capability probes claim is set against what played.`,
    page: pageOf('player', { player, format, asset: id, target: PLAYER_TARGET_SECONDS }),
    rules: { by: 'player', player, format, asset, target: PLAYER_TARGET_SECONDS },
    picture: { referenceScenario: `playback.reference.${asset.container === 'webm' ? 'vp9' : 'h264'}` },
  };
}

export function playerScenarios(manifest: Manifest): Scenario[] {
  const out: Scenario[] = [];
  for (const player of PLAYER_NAMES) {
    for (const format of PLAYERS[player].formats) {
      for (const id of PLAYER_ASSETS) {
        const asset = manifest.assets[id];
        if (!asset) throw new Error(`catalog: the player group names asset ${id}, which media/manifest.json lacks`);
        if (manifestUrl(asset, format)) out.push(playerScenario(player, format, id, asset));
      }
    }
  }
  return out;
}
