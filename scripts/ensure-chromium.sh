#!/usr/bin/env bash
# The HTML report's browser tests drive Debian's chromium through playwright-core, which
# downloads no browser. Installs it when missing (apt-get; as root or with sudo); apt's
# output is shown only when it fails. Run by `npm test` (pretest) and by .ci/run.
set -euo pipefail
if command -v chromium >/dev/null || [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then exit 0; fi
if ! command -v apt-get >/dev/null; then
  echo "error: the browser tests need Chromium at /usr/bin/chromium (or CHROMIUM_PATH); install it with your package manager" >&2
  exit 1
fi
echo "installing chromium for the browser tests" >&2
apt_log="$(mktemp)"
sudo=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then sudo="sudo"; fi
if ! ($sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends chromium) >"$apt_log" 2>&1; then
  cat "$apt_log" >&2
  echo "error: could not install chromium (the browser tests need /usr/bin/chromium)" >&2
  exit 1
fi
rm -f "$apt_log"
