#!/usr/bin/env bash
# Sets up eme-compat on a fresh Debian or Ubuntu machine; safe to run again (it only does what is missing).
#   bash scripts/setup.sh            npm packages + Debian's browsers (chromium, firefox-esr, WebKitGTK, Xvfb)
#   bash scripts/setup.sh --run      ... then run the compatibility matrix (eme-compat run)
#   bash scripts/setup.sh --bundled  use Playwright's downloaded browsers instead (needs internet)
set -euo pipefail
cd "$(dirname "$0")/.."

RUN=0
BUNDLED=0
APT=1
for arg in "$@"; do
  case "$arg" in
    --run) RUN=1 ;;
    --bundled) BUNDLED=1 ;;
    --no-apt) APT=0 ;;
    -h|--help)
      sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
      echo "  --no-apt         never call apt-get; fail with the list of what is missing"
      exit 0 ;;
    *) echo "setup: unknown option '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

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
  say "installing Playwright's bundled browsers (needs internet and root for system libraries)"
  npx playwright install --with-deps chromium firefox webkit
  say "done; run with EME_BROWSERS=bundled"
else
  MINIBROWSER=/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser
  PACKAGES=(chromium firefox-esr webkit2gtk-driver xvfb gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-libav fonts-dejavu-core)
  missing=()
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    command -v apt-get >/dev/null && [ -f /etc/debian_version ] \
      || die "system browsers are missing and this is not Debian/Ubuntu (no apt-get). Install Chromium, Firefox ESR and WebKitGTK's WebKitWebDriver + Xvfb yourself, or use 'bash scripts/setup.sh --bundled'."
    [ "$APT" = 1 ] || die "missing packages: ${missing[*]} (run without --no-apt as root, or: sudo apt-get install ${missing[*]})"
    [ "$(id -u)" = 0 ] || die "missing packages: ${missing[*]}. Run this script as root, or first: sudo apt-get install --no-install-recommends ${missing[*]}"
    say "installing with apt: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "system browsers are installed"
  fi
  for bin in /usr/bin/chromium /usr/bin/firefox-esr /usr/bin/WebKitWebDriver /usr/bin/Xvfb "$MINIBROWSER"; do
    [ -x "$bin" ] || die "$bin is missing after install; on Ubuntu (no firefox-esr/chromium debs) use --bundled"
  done
  say "$(/usr/bin/chromium --version 2>/dev/null | head -1) | $(/usr/bin/firefox-esr --version 2>/dev/null | head -1) | WebKitGTK $(dpkg-query -W -f='${Version}' webkit2gtk-driver)"
fi

if [ "$RUN" = 1 ]; then
  say "running the compatibility matrix"
  if [ "$BUNDLED" = 1 ]; then export EME_BROWSERS=bundled; fi
  exec node bin/eme-compat.js run
fi
say "ready. Run the matrix: npx eme-compat run   |   run the tests: npm test"
