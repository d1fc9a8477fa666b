// The players the harness plays its media through: each is a pinned npm dependency (package.json) whose
// browser build the server hands out at /players/<name>.js, with the streaming formats it plays. The
// player page module (pages/js/scenarios/player.js) knows how to drive each one; the catalog makes one
// scenario per player, format and asset.
import { z } from 'zod';

export const PlayerName = z.enum(['shaka', 'dashjs', 'hlsjs']);
export type PlayerName = z.infer<typeof PlayerName>;

export const StreamFormat = z.enum(['dash', 'hls']);
export type StreamFormat = z.infer<typeof StreamFormat>;

export interface PlayerInfo {
  title: string;
  /** The npm package, pinned to an exact version in package.json. */
  npmPackage: string;
  /** The browser build inside the package (a classic script that defines the player's global). */
  script: string;
  formats: readonly StreamFormat[];
}

export const PLAYERS: Record<PlayerName, PlayerInfo> = {
  shaka: {
    title: 'Shaka Player',
    npmPackage: 'shaka-player',
    script: 'dist/shaka-player.compiled.js',
    formats: ['dash', 'hls'],
  },
  dashjs: { title: 'dash.js', npmPackage: 'dashjs', script: 'dist/modern/umd/dash.all.min.js', formats: ['dash'] },
  hlsjs: { title: 'hls.js', npmPackage: 'hls.js', script: 'dist/hls.min.js', formats: ['hls'] },
};

export const PLAYER_NAMES = PlayerName.options;
