// Where each player's pinned build is on disk and which version it is: the server hands the build to
// the player page, the reports name the version beside the browser's.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PLAYERS, type PlayerName } from '../model/players.ts';

const require = createRequire(import.meta.url);

// Found through node's search path rather than require.resolve: dash.js exports no ./package.json.
function packageDir(name: PlayerName): string {
  const pkg = PLAYERS[name].npmPackage;
  const dir = (require.resolve.paths(pkg) ?? [])
    .map((base) => join(base, pkg))
    .find((d) => existsSync(join(d, 'package.json')));
  if (!dir) throw new Error(`player ${name}: npm package ${pkg} is not installed (run npm ci)`);
  return dir;
}

/** The installed version of a player's npm package (package.json pins it exactly). */
export function playerVersion(name: PlayerName): string {
  const pkg = JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** The absolute path of a player's browser build. */
export function playerScriptPath(name: PlayerName): string {
  return join(packageDir(name), PLAYERS[name].script);
}

/** `shaka-player@5.2.12`, as reports name a player. */
export function playerLabel(name: PlayerName): string {
  return `${PLAYERS[name].npmPackage}@${playerVersion(name)}`;
}
