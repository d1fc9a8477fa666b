#!/usr/bin/env bash
# Rehearses .github/workflows/compat.yml on this machine: the workflow's own `run:` scripts, looked up
# by step id, run in order with the env the workflow gives them, each job in a fresh copy of the working
# tree under out/rehearsal/ (as a checkout). Stand-ins for what only GitHub has:
#   container as root, HOME /github/home  the shard steps get a HOME owned by uid 1001 instead of the
#                                         workflow's HOME=/root, so the harness's own fix is what runs
#   checkout, setup-node (npm cache)      a copy of the tree; node_modules as a hard-linked copy (npm ci
#                                         in a job unlinks files, so it never touches ./node_modules)
#   upload/download-artifact              folders under out/rehearsal/artifacts
#   configure-pages, deploy-pages         out/rehearsal/published, a folder standing in for the site
# The report job runs twice: the first finds nothing published, the second restores what the first
# published, so its dashboard and history must hold two runs. By hand only (not part of npm test):
#   bash scripts/ci-rehearsal.sh [--grep REGEX] [--projects "chromium firefox"]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORKFLOW=.github/workflows/compat.yml
R="$ROOT/out/rehearsal"
GREP='probe\.clearkey|lifecycle\.temporary\.keyids|lifecycle\.persistent-license|playback\.cenc'
PROJECTS=''
while [ "$#" -gt 0 ]; do
  case "$1" in
    --grep) GREP="${2:?--grep needs a regular expression}"; shift ;;
    --projects) PROJECTS="${2:?--projects needs names}"; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "ci-rehearsal: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

# The workflow, read with the yaml package (a devDependency).
wf() {
  node --input-type=module -e '
    import { readFileSync } from "node:fs";
    let parse;
    try { ({ parse } = await import("yaml")); } catch { console.error("ci-rehearsal: the yaml package is missing (npm ci)"); process.exit(2); }
    const [file, what, job, id] = process.argv.slice(1);
    const wf = parse(readFileSync(file, "utf8"));
    if (what === "matrix") {
      // What the plan job outputs, as the shard jobs get it: run its generating step and read the JSON.
      const step = wf.jobs.plan.steps.find((s) => s.id === "matrix");
      const command = step.run.match(/\$\((.*)\)/)[1];
      const { execSync } = await import("node:child_process");
      const { include } = JSON.parse(execSync(command, { encoding: "utf8" }));
      for (const p of [...new Set(include.map((i) => i.project))]) console.log(p, include.find((i) => i.project === p).engine);
      console.log("shards", [...new Set(include.map((i) => i.shard))].join(" "));
    } else {
      const step = wf.jobs[job]?.steps?.find((s) => s.id === id);
      if (!step?.run) { console.error(`ci-rehearsal: no run step with id "${id}" in job ${job}`); process.exit(2); }
      if (step.run.includes("${{")) { console.error(`ci-rehearsal: ${job}/${id} has a \${{ }} expression in its script; pass it through env`); process.exit(2); }
      process.stdout.write(step.run);
    }
  ' "$WORKFLOW" "$@"
}

OUTCOMES=()
# run_step <job> <step id> <dir> [VAR=value ...]: the step's script as GitHub runs it (shell: bash).
run_step() {
  local job=$1 id=$2 dir=$3 script rc=0
  shift 3
  script=$(wf step "$job" "$id") || exit 2
  # A job's `npm ci` must never reach the shared node_modules.
  if [ "$(realpath "$dir/node_modules")" = "$(realpath "$ROOT/node_modules")" ]; then
    echo "ci-rehearsal: $dir/node_modules is the working tree's own; refusing to run $job/$id there" >&2
    exit 2
  fi
  printf '\n\033[1m── %s / %s\033[0m (%s)\n' "$job" "$id" "${dir#"$ROOT"/}"
  (cd "$dir" && env "$@" bash --noprofile --norc -eo pipefail -c "$script") || rc=$?
  OUTCOMES+=("$(printf '%-40s exit %s' "$job/$id ${dir##*/}" "$rc")")
  return "$rc"
}

checkout() {
  rm -rf "$1" && mkdir -p "$1"
  tar -C "$ROOT" --exclude=./node_modules --exclude=./out --exclude=./results --exclude=./reports --exclude=./.git \
    --exclude=./site --exclude=./blob-report --exclude=./all-blob-reports -cf - . | tar -C "$1" -xf -
  [ -d "$ROOT/node_modules" ] && [ ! -L "$ROOT/node_modules" ] || { echo "ci-rehearsal: run npm ci (or bash scripts/setup.sh) first" >&2; exit 2; }
  cp -al "$ROOT/node_modules" "$1/node_modules"
}

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

rm -rf "$R"
mkdir -p "$R/artifacts"
declare -A ENGINE
SHARDS=''
while read -r key value; do
  if [ "$key" = shards ]; then SHARDS=$value; else ENGINE[$key]=$value; fi
done < <(wf matrix)
PROJECTS=${PROJECTS:-${!ENGINE[*]}}
for p in $PROJECTS; do [ -n "${ENGINE[$p]:-}" ] || { echo "ci-rehearsal: no project '$p' in the workflow's matrix (${!ENGINE[*]})" >&2; exit 2; }; done

# GitHub's container condition: root, HOME owned by the runner's uid 1001.
GH_HOME="$R/github-home"
mkdir -p "$GH_HOME"
if [ "$(id -u)" = 0 ]; then
  chown 1001:1001 "$GH_HOME"
  echo "ci-rehearsal: shard steps run as root with HOME=$GH_HOME owned by uid 1001 (GitHub's /github/home)"
else
  echo "ci-rehearsal: not root, so the container's HOME condition is not rehearsed"
fi
COMMON=(CI=true PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 "GREP=$GREP" EME_WORKERS=1)

# ── job: shard (matrix: project x shard) ──────────────────────────────────────────────────────────────
for project in $PROJECTS; do
  for shard in $SHARDS; do
    job="$R/jobs/$project-$shard"
    checkout "$job"
    run_step shard install "$job" "${COMMON[@]}" HOME="$GH_HOME" "ENGINE=${ENGINE[$project]}" || true
    run_step shard test "$job" "${COMMON[@]}" HOME="$GH_HOME" "EME_PORT=$(free_port)" "PROJECT=$project" "SHARD=$shard" "SHARDS=$(echo $SHARDS | wc -w)" \
      PLAYWRIGHT_BLOB_OUTPUT_DIR=blob-report "PLAYWRIGHT_BLOB_OUTPUT_NAME=report-$project-$shard.zip" || true
    # upload-artifact: the blob report, and the traces when there are any.
    if [ -d "$job/blob-report" ]; then cp -R "$job/blob-report" "$R/artifacts/blob-report-$project-$shard"; fi
    if [ -n "$(ls -A "$job/out/test-results" 2>/dev/null)" ]; then cp -R "$job/out/test-results" "$R/artifacts/traces-$project-$shard"; fi
  done
done
# npx keeps its logs in ~/.npm (on GitHub that is /root, the workflow's HOME); anything else came from a browser.
left=$(find "$GH_HOME" -mindepth 1 -not -path "$GH_HOME/.npm" -not -path "$GH_HOME/.npm/*" | wc -l)
echo "ci-rehearsal: files the browsers left in the uid-1001 HOME: $left"

# ── job: report, twice; deploy after each (a folder stands in for the Pages site) ────────────────────
for n in 1 2; do
  job="$R/report-$n"
  checkout "$job"
  : >"$job/summary.md"
  : >"$job/github-output"
  ENV=("${COMMON[@]}" PUBLISH=true "SITE=$R/published" "GITHUB_STEP_SUMMARY=$job/summary.md" "GITHUB_OUTPUT=$job/github-output")
  mkdir -p "$job/all-blob-reports"
  cp "$R"/artifacts/blob-report-*/*.zip "$job/all-blob-reports/" 2>/dev/null || true
  restore=0; merge=0; dashboard=1
  run_step report npm "$job" "${ENV[@]}" || true
  run_step report restore "$job" "${ENV[@]}" || restore=$?
  run_step report merge "$job" "${ENV[@]}" || merge=$?
  if [ "$merge" = 0 ]; then
    run_step report gate "$job" "${ENV[@]}" || true
    dashboard=0; run_step report dashboard "$job" "${ENV[@]}" || dashboard=$?
    run_step report allure "$job" "${ENV[@]}" || true
  fi
  if [ "$restore" = 0 ] && [ "$dashboard" = 0 ]; then run_step report site "$job" "${ENV[@]}" || true; fi
  if grep -qx 'ready=true' "$job/github-output"; then
    rm -rf "$R/published" && cp -R "$job/site" "$R/published"
    echo "ci-rehearsal: deployed report-$n's site to ${R#"$ROOT"/}/published"
  else
    echo "ci-rehearsal: report-$n built no site; nothing deployed"
  fi
done

# ── what happened ────────────────────────────────────────────────────────────────────────────────────
printf '\n\033[1m── outcomes\033[0m\n'
printf '  %s\n' "${OUTCOMES[@]}"
status=0
runs=$(node -e 'try{console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).runs)}catch{console.log(0)}' "$R/published/history/latest.json")
dashboard_runs=$(find "$R/published/runs" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l)
echo "  published history: $runs run(s); published dashboard: $dashboard_runs run(s) (expected 2 and 2)"
[ "$runs" = 2 ] && [ "$dashboard_runs" = 2 ] || status=1
[ "$left" = 0 ] || { echo "  the browsers wrote into the uid-1001 HOME"; status=1; }
for o in "${OUTCOMES[@]}"; do
  case "$o" in *"exit 0") ;; *gate*) echo "  gate: $o (see out/rehearsal/report-*/summary.md)" ;; *) status=1 ;; esac
done
echo "ci-rehearsal: $([ "$status" = 0 ] && echo 'all steps ran as the workflow would' || echo 'some steps failed (above)')"
exit "$status"
