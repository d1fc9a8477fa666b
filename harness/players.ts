// Where each player's pinned build is on disk and which version it is: the server hands the build to
// the player page, the reports name the version beside the browser's.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PLAYERS, type PlayerName } from '../model/players.ts';

const require = createRequire(import.meta.url);

interface Installed {
  dir: string;
  version: string;
}
// Looked up once per process: the server asks at every request for a build.
const installed = new Map<PlayerName, Installed>();

// Found through node's search path rather than require.resolve: dash.js exports no ./package.json.
function installedPlayer(name: PlayerName): Installed {
  const known = installed.get(name);
  if (known) return known;
  const pkg = PLAYERS[name].npmPackage;
  const dir = (require.resolve.paths(pkg) ?? [])
    .map((base) => join(base, pkg))
    .find((d) => existsSync(join(d, 'package.json')));
  if (!dir) throw new Error(`player ${name}: npm package ${pkg} is not installed (run npm ci)`);
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
  const found = { dir, version };
  installed.set(name, found);
  return found;
}

/** The installed version of a player's npm package (package.json pins it exactly). */
export function playerVersion(name: PlayerName): string {
  return installedPlayer(name).version;
}

/** The absolute path of a player's browser build. */
export function playerScriptPath(name: PlayerName): string {
  return join(installedPlayer(name).dir, PLAYERS[name].script);
}
