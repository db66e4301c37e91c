#!/usr/bin/env bash
# Chromium in kiosk mode on the display PC, showing the page of the local Hall agent (hall-display.service).
# Run from the desktop session's autostart as the logged-in kiosk user. Waits until the agent answers,
# and starts the browser again whenever it exits.
set -uo pipefail

url="${HALL_DISPLAY_URL:-http://127.0.0.1:5082/}"
browser="${HALL_BROWSER:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || echo chromium)}"
profile="${HALL_BROWSER_PROFILE:-$HOME/.cache/hall-display-browser}"
# The lobby screen speaks the calls and plays the videos without anyone touching it.
extra=(--autoplay-policy=no-user-gesture-required)

wait_for_agent() {
  until curl -fsS -o /dev/null --max-time 3 "${url%/}/health"; do
    sleep 2
  done
}

while true; do
  wait_for_agent
  # A crash or power cut must not bring up the "restore pages" bar.
  rm -f "$profile/Default/Preferences.lock" 2>/dev/null || true
  "$browser" --kiosk --no-first-run --noerrdialogs --disable-infobars \
    --disable-translate --disable-features=Translate,TranslateUI --disable-session-crashed-bubble \
    --disable-component-update --check-for-update-interval=31536000 --password-store=basic \
    --user-data-dir="$profile" "${extra[@]}" "$url"
  sleep 2
done
