#!/usr/bin/env bash
# Sets up eme-compat on a fresh Debian or Ubuntu machine; safe to run again (it only does what is missing).
#   bash scripts/setup.sh            npm packages + Debian's browsers (chromium, firefox-esr, WebKitGTK, Xvfb)
#   bash scripts/setup.sh --run      ... then run the compatibility matrix (eme-compat run)
#   bash scripts/setup.sh --bundled  use Playwright's downloaded browsers instead (needs internet)
#   bash scripts/setup.sh --browsers firefox    only some browsers (a CI job installs the one it runs)
set -euo pipefail
cd "$(dirname "$0")/.."

ENGINES=(chromium firefox webkit)
usage() {
  sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
  cat <<'USAGE'
Options:
  --browsers LIST  only these engines, comma-separated: chromium, firefox, webkit (default: all)
                     chromium  Debian's chromium
                     firefox   firefox-esr, with libavcodec for H.264/AAC (only a Recommends of firefox-esr)
                     webkit    WebKitGTK's WebKitWebDriver + MiniBrowser, Xvfb, GStreamer plugins
                     chromium-driver  Debian's chromium + chromedriver (the chromium-webdriver profile of the
                               drivers set; not part of "all")
                   With --run, only the projects of these engines run.
  --run            run the compatibility matrix afterwards
  --bundled        Playwright's downloaded browsers instead of Debian's (needs internet)
  --no-apt         never call apt-get; fail with the list of what is missing
  -h, --help       this text
USAGE
}

RUN=0
BUNDLED=0
APT=1
SELECTED=("${ENGINES[@]}")
set_browsers() {
  [ -n "$1" ] || { echo "setup: --browsers needs a list, e.g. --browsers chromium,firefox (try --help)" >&2; exit 2; }
  SELECTED=()
  local name
  IFS=',' read -ra names <<<"$1"
  for name in "${names[@]}"; do
    name="${name// /}"
    case "$name" in
      all) SELECTED=("${ENGINES[@]}"); return ;;
      chromium|firefox|webkit|chromium-driver) [[ " ${SELECTED[*]} " == *" $name "* ]] || SELECTED+=("$name") ;;
      '') ;;
      *) echo "setup: unknown browser '$name' in --browsers (choose from ${ENGINES[*]}, or all)" >&2; exit 2 ;;
    esac
  done
  [ "${#SELECTED[@]}" -gt 0 ] || { echo "setup: --browsers '$1' names no browser (choose from ${ENGINES[*]})" >&2; exit 2; }
}
while [ "$#" -gt 0 ]; do
  case "$1" in
    --run) RUN=1 ;;
    --bundled) BUNDLED=1 ;;
    --no-apt) APT=0 ;;
    --browsers) [ "$#" -ge 2 ] || set_browsers ''; set_browsers "$2"; shift ;;
    --browsers=*) set_browsers "${1#--browsers=}" ;;
    -h|--help) usage; exit 0 ;;
    *) echo "setup: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
wants() { [[ " ${SELECTED[*]} " == *" $1 "* ]]; }

if [ -t 1 ]; then BOLD=$'\033[1m'; PLAIN=$'\033[0m'; else BOLD=''; PLAIN=''; fi
say() { printf '%ssetup:%s %s\n' "$BOLD" "$PLAIN" "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# --- Node -------------------------------------------------------------------------------------------
command -v node >/dev/null || die "Node.js 20.10+ is needed (apt-get install nodejs npm, or https://nodejs.org)"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=10)?0:1)' \
  || die "Node.js 20.10+ is needed; this is $(node --version)"

# --- npm packages (never downloading Playwright's browsers unless --bundled) ------------------------------
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
else
  say "npm packages are up to date"
fi

# --- browsers -------------------------------------------------------------------------------------------
if [ "$BUNDLED" = 1 ]; then
  say "installing Playwright's bundled browsers: ${SELECTED[*]} (needs internet and root for system libraries)"
  npx playwright install --with-deps "${SELECTED[@]}"
  say "done; run with EME_BROWSERS=bundled"
else
  MINIBROWSER=/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser
  PACKAGES=(fonts-dejavu-core)
  BINARIES=()
  if wants chromium; then PACKAGES+=(chromium); BINARIES+=(/usr/bin/chromium); fi
  if wants chromium-driver; then PACKAGES+=(chromium chromium-driver); BINARIES+=(/usr/bin/chromium /usr/bin/chromedriver); fi
  # Firefox decodes H.264/AAC with the system's libavcodec, which firefox-esr only recommends; without it
  # every MP4 scenario would read "unsupported" in Firefox. "libavcodec" stands for whichever libavcodecNN
  # the release has (Debian 12: libavcodec59).
  if wants firefox; then PACKAGES+=(firefox-esr libavcodec); BINARIES+=(/usr/bin/firefox-esr); fi
  if wants webkit; then
    PACKAGES+=(webkit2gtk-driver xvfb gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-libav)
    BINARIES+=(/usr/bin/WebKitWebDriver /usr/bin/Xvfb "$MINIBROWSER")
  fi
  installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
  any_libavcodec() { dpkg-query -W -f='${Package} ${Status}\n' 'libavcodec*' 2>/dev/null | grep -Eq '^libavcodec(-extra)?[0-9]+ install ok installed'; }
  missing=()
  for pkg in "${PACKAGES[@]}"; do
    if [ "$pkg" = libavcodec ]; then any_libavcodec || missing+=("$pkg"); else installed "$pkg" || missing+=("$pkg"); fi
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    shown="${missing[*]}"; shown="${shown//libavcodec/libavcodec59}"
    command -v apt-get >/dev/null && [ -f /etc/debian_version ] \
      || die "system browsers are missing and this is not Debian/Ubuntu (no apt-get). Install Chromium, Firefox ESR and WebKitGTK's WebKitWebDriver + Xvfb yourself, or use 'bash scripts/setup.sh --bundled'."
    [ "$APT" = 1 ] || die "missing packages: $shown (run without --no-apt as root, or: sudo apt-get install --no-install-recommends $shown)"
    [ "$(id -u)" = 0 ] || die "missing packages: $shown. Run this script as root, or first: sudo apt-get install --no-install-recommends $shown"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || die "apt-get update failed (network, or a broken sources list?)"
    for i in "${!missing[@]}"; do
      if [ "${missing[$i]}" = libavcodec ]; then
        codec=$(apt-cache pkgnames libavcodec 2>/dev/null | grep -E '^libavcodec[0-9]+$' | sort -V | tail -1)
        [ -n "$codec" ] || die "no libavcodecNN package in the apt sources; Firefox would play no H.264/AAC"
        missing[$i]="$codec"
      fi
    done
    say "installing with apt: ${missing[*]}"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || die "apt-get install failed for: ${missing[*]}"
  else
    say "system browsers are installed (${SELECTED[*]})"
  fi
  for bin in "${BINARIES[@]}"; do
    [ -x "$bin" ] || die "$bin is missing after install; on Ubuntu (no firefox-esr/chromium debs) use --bundled"
  done
  versions=()
  if wants chromium; then versions+=("$(/usr/bin/chromium --version 2>/dev/null | head -1)"); fi
  if wants firefox; then versions+=("$(/usr/bin/firefox-esr --version 2>/dev/null | head -1)"); fi
  if wants webkit; then versions+=("WebKitGTK $(dpkg-query -W -f='${Version}' webkit2gtk-driver)"); fi
  say "$(IFS='|'; echo "${versions[*]}" | sed 's/|/ | /g')"
fi

if [ "$RUN" = 1 ]; then
  if [ "$BUNDLED" = 1 ]; then export EME_BROWSERS=bundled; fi
  run_args=()
  if [ "${#SELECTED[@]}" -lt "${#ENGINES[@]}" ]; then
    # Only the projects of the installed engines (in the set EME_BROWSERS picks, default debian).
    projects=$(node --import tsx --input-type=module -e "
      import { loadProfiles } from './harness/browsers/profiles.ts';
      const engines = process.argv.slice(1);
      console.log(loadProfiles().filter((p) => engines.includes(p.engine)).map((p) => p.project).join(' '));
    " "${SELECTED[@]}") || die "cannot read the browser profiles"
    [ -n "$projects" ] || die "no project of the browser set ${EME_BROWSERS:-debian} uses ${SELECTED[*]}"
    read -ra project_list <<<"$projects"
    run_args=(--project "${project_list[@]}")
  fi
  say "running the compatibility matrix ${run_args[*]:-}"
  exec node bin/eme-compat.js run "${run_args[@]}"
fi
say "ready. Run the matrix: npx eme-compat run   |   run the tests: npm test"
