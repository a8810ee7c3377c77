#!/usr/bin/env bash
# The Debian packages `npm test` needs, installed when missing (one `apt-get update` for all). Run by `npm test`
# (pretest) and `.ci/run`; a no-op once they are there.
# - chromium: test/browser drives Debian's Chromium through playwright-core, which brings no browser of its
#   own (and a browser download would not get through a closed network).
# - redis-server: test/state, test/cache and test/scale run against a real Redis (test/helpers/redis-server.ts
#   starts its own on a free loopback port; a service the package may start on 6379 is not used).
set -euo pipefail
packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || packages+=(redis-server)
[ "${#packages[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "npm test needs Debian's ${packages[*]}: run  sudo apt-get install -y --no-install-recommends ${packages[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${packages[@]}"
