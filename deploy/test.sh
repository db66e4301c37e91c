#!/usr/bin/env bash
# Runs Hall's whole test suite. Installs what the tests need when it is missing (Debian/Ubuntu, as root or with sudo);
# elsewhere it says exactly what is missing, and the tests that need it are skipped locally (they fail when CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
have_pg() { command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }
have_pg || missing+=(postgresql)
# The kiosk and display pages are tested in Debian's Chromium with a CJK font; serial devices over socat pty pairs.
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list 2>/dev/null | grep -i "WenQuanYi Micro Hei" >/dev/null || missing+=(fonts-wqy-microhei)  # no -q: an early exit would fail the pipe
# Bulletins are GB/T 9704 documents set in a serif CJK face (Noto Serif CJK SC).
[ -f /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)
command -v socat >/dev/null 2>&1 || missing+=(socat)
# The lobby screen's video test encodes a real H.264 clip.
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
# Several server instances share SignalR messages through Redis.
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# Report tests render each PDF page to PNG for a person to look at.
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
# The deploy/ files are checked with the tools that load them: nginx -t on the proxy sample, shellcheck on the scripts.
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# The kiosk search's pinyin is checked against Unicode's Unihan readings (bzip2-compressed in Debian's unicode-data).
[ -f /usr/share/unicode/Unihan_Readings.txt.bz2 ] || missing+=(unicode-data)
command -v bzip2 >/dev/null 2>&1 || missing+=(bzip2)
# Chromium is also run with its machine clock a year ahead, to show that no browser test depends on the date it runs on.
command -v faketime >/dev/null 2>&1 || missing+=(faketime)

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="$(command -v sudo || true)"
  if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" -eq 0 ] || [ -n "$sudo" ]; }; then
    echo "Installing: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing system packages: ${missing[*]} — install them (e.g. apt-get install ${missing[*]}); tests that need them will be skipped." >&2
  fi
fi

dotnet tool restore >/dev/null

# HALL_TEST_MACHINE_TIME=+365d (libfaketime's syntax): the test host and all it starts — servers, PostgreSQL, Chromium,
# the agents — run with the machine's clocks that far off, to show that no test depends on the date it runs on. Only the
# test host: vstest's own runner does not start under libfaketime. An offset, not a fixed start: each process started
# later keeps the same time as the others. Monotonic clocks are offset too (left real, .NET's socket timeouts misfire).
if [ -n "${HALL_TEST_MACHINE_TIME:-}" ]; then
  faketime_lib=""
  for lib in /usr/lib/*/faketime/libfaketimeMT.so.1; do [ -f "$lib" ] && faketime_lib=$lib; done
  [ -n "$faketime_lib" ] || { echo "HALL_TEST_MACHINE_TIME needs libfaketime: apt-get install faketime" >&2; exit 1; }
  settings=$(mktemp --suffix=.runsettings)
  cat > "$settings" <<EOF
<RunSettings><RunConfiguration><EnvironmentVariables>
  <LD_PRELOAD>$faketime_lib</LD_PRELOAD>
  <FAKETIME>$HALL_TEST_MACHINE_TIME</FAKETIME>
</EnvironmentVariables></RunConfiguration></RunSettings>
EOF
  set -- --settings "$settings" "$@"
fi
exec dotnet test Hall.Tests --logger "trx;LogFileName=results.trx" --results-directory TestResults "$@"
