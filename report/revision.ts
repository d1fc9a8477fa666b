// The source a run was made from: git commit, branch and whether the tree had changes. CI can name
// them explicitly (EME_REVISION / EME_BRANCH, else GitHub's GITHUB_SHA / GITHUB_HEAD_REF / GITHUB_REF_NAME),
// since a CI checkout may be a detached merge commit or have no .git at all.
import { spawnSync } from 'node:child_process';
import type { SourceRevision } from '../model/results.ts';
import { readConfig } from '../harness/config.ts';

function git(args: string[], cwd: string): string | null {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return r.status === 0 ? r.stdout.trim() || null : null;
}

export function readSourceRevision(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): SourceRevision {
  const { revision, branch: named } = readConfig(env);
  const commit = revision || env['GITHUB_SHA'] || git(['rev-parse', 'HEAD'], cwd);
  const branch =
    named || env['GITHUB_HEAD_REF'] || env['GITHUB_REF_NAME'] || git(['rev-parse', '--abbrev-ref', 'HEAD'], cwd);
  const status = revision ? null : git(['status', '--porcelain', '--untracked-files=no'], cwd);
  return {
    commit: commit && /^[0-9a-f]{7,40}$/i.test(commit) ? commit.toLowerCase() : null,
    branch: branch && branch !== 'HEAD' ? branch : null,
    dirty: revision ? null : commit ? status !== null : null,
  };
}
