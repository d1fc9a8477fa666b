// The CI matrix, generated from the browser profiles, so the workflow never restates the browser list:
// one job per project × shard, each naming the engine scripts/setup.sh must install for it.
import type { BrowserProfile } from './profiles.ts';

export interface CiMatrixEntry {
  project: string;
  engine: BrowserProfile['engine'];
  shard: number;
  shards: number;
}

export function ciMatrix(profiles: BrowserProfile[], shards: number): { include: CiMatrixEntry[] } {
  const remote = profiles.filter((p) => p.connect || p.webdriver?.url || p.channel?.match(/^(chrome|msedge)/));
  if (remote.length)
    throw new Error(
      `the CI jobs install Debian's browsers; ${remote.map((p) => p.project).join(', ')} cannot be installed there`,
    );
  const include: CiMatrixEntry[] = [];
  for (const p of profiles)
    for (let shard = 1; shard <= shards; shard++) include.push({ project: p.project, engine: p.engine, shard, shards });
  return { include };
}
