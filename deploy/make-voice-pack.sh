#!/usr/bin/env bash
# Generates the fallback voice pack for Hall.Display (and the phrases of the kiosk's spoken guidance) with espeak-ng (Mandarin via pinyin; it sounds robotic — halls
# should upload a recorded pack; while this one is in use the supervisor's wall shows an alert).
#   bash deploy/make-voice-pack.sh [OUT_DIR]      (default: Hall.Display/voice-fallback)
set -euo pipefail
out="${1:-$(dirname "$0")/../Hall.Display/voice-fallback}"
if ! command -v espeak-ng >/dev/null 2>&1; then
  echo "espeak-ng is missing — install it (apt-get install espeak-ng)." >&2
  exit 1
fi
mkdir -p "$out"
# segment|pinyin with tone numbers|file
segments=(
  "请|qing3|qing" "号|hao4|hao" "到|dao4|dao" "号窗口|hao4 chuang1 kou3|haochuangkou" "办理|ban4 li3|banli" "十|shi2|shi"
  "0|ling2|0" "1|yi1|1" "2|er4|2" "3|san1|3" "4|si4|4" "5|wu3|5" "6|liu4|6" "7|qi1|7" "8|ba1|8" "9|jiu3|9"
  # The kiosk's spoken guidance (optional keys: a pack without them is valid, the kiosk then uses the browser's voice).
  "guide.welcome|huan1 ying2 guang1 lin2, qing3 xuan3 ze2 nin2 yao4 ban4 li3 de5 ye4 wu4|guide-welcome"
  "guide.take|qing3 qu3 zou3 nin2 de5 hao4 piao4|guide-take"
  "guide.photo|qing3 yong4 shou3 ji1 pai1 xia4 hao4 ma3 huo4 sao3 miao2 er4 wei2 ma3|guide-photo"
  "guide.yourNumber|nin2 de5 hao4 ma3 shi4|guide-yournumber"
  "guide.ahead|qian2 mian4 hai2 you3|guide-ahead" "guide.people|ren2|guide-people"
)
for letter in A B C D E F G H I J K L M N O P Q R S T U V W X Y Z; do
  segments+=("$letter|$letter|letter-$letter")
done
manifest="{"
for entry in "${segments[@]}"; do
  IFS='|' read -r key text file <<<"$entry"
  if [[ "$key" =~ ^[A-Z]$ ]]; then
    espeak-ng -v en -s 140 -w "$out/$file.wav" "$text"
  else
    espeak-ng -v cmn-latn-pinyin -s 140 -w "$out/$file.wav" "$text"
  fi
  manifest+="\"$key\": \"$file.wav\","
done
echo "${manifest%,}}" > "$out/manifest.json"
echo "Fallback voice pack written to $out"
