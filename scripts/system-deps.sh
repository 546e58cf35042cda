#!/usr/bin/env bash
# Debian packages the app and its test suite need: Noto fonts (names in every script in the
# PDFs; production needs them too), Chromium (browser tests), ffmpeg (fake camera videos),
# DejaVu fonts and poppler (badge PDFs), Symbola (emoji), SpamAssassin (spam scores), Java
# (the Nu HTML checker), wrk (benchmarks), PostgreSQL and Redis server binaries (reliability
# and rate-limit tests). Installed only when missing.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v ffmpeg >/dev/null || missing+=(ffmpeg)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
[ -f /usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf ] || missing+=(fonts-symbola)  # emoji in the report PDF
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing+=(fonts-noto-core fonts-noto-cjk)  # names in every script (PDFs)
command -v wrk >/dev/null || missing+=(wrk)  # the benchmarks' load tool (and their smoke runs)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)  # a restart test runs its own server
command -v redis-server >/dev/null || missing+=(redis-server)  # rate limits shared by workers
command -v spamassassin >/dev/null || missing+=(spamassassin)  # the e-mails' spam score (tests)
command -v java >/dev/null || missing+=(default-jre-headless)  # the Nu HTML checker (vnu-jar, tests/test_html_validity.py)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Please install: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
