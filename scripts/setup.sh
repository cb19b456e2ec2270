#!/usr/bin/env bash
# Installs what madnis-ts needs to build on Debian/Ubuntu (g++, cmake, make, Eigen), then
# npm ci, which builds the native core (the `install` script, scripts/install.mjs) and the
# TypeScript (the `prepare` script).
# Extra Debian packages can be named in MADNIS_EXTRA_PACKAGES (CI adds its own).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v g++ >/dev/null || need+=(g++)
command -v make >/dev/null || need+=(make)
command -v cmake >/dev/null || need+=(cmake)
[ -f /usr/include/eigen3/Eigen/Core ] || need+=(libeigen3-dev)
for pkg in ${MADNIS_EXTRA_PACKAGES:-}; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

node -e 'const [major] = process.versions.node.split("."); if (+major < 20) { console.error(`setup: Node >= 20 needed, found ${process.version}`); process.exit(1); }'
# The test runner (vitest 4 / vite 8) installs with npm 11; Node 20 ships npm 10.
if [ "$(npm --version | cut -d. -f1)" -lt 11 ]; then
  echo "setup: upgrading npm $(npm --version) to npm 11 (vite 8 does not install with npm 10)"
  npm install -g npm@11
fi
npm ci
