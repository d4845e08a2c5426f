#!/usr/bin/env bash
# Render the standard template to PDF and PNG pages for a visual check.
# Usage: scripts/render_template.sh [OUTDIR] [UNIT] [PERIOD]   (defaults: /tmp/ntvt-template, none, none)
set -euo pipefail
out="${1:-/tmp/ntvt-template}"
unit="${2:-}"
period="${3:-}"
mkdir -p "$out"
cd "$(dirname "$0")/.."
python - "$out/mau_NTVT.xlsx" "$unit" "$period" <<'PY'
import datetime as dt, sys
from checker.rules import load_rules
from checker.template import make_template
target, unit, period = sys.argv[1], sys.argv[2] or None, sys.argv[3] or None
make_template(load_rules(), target, as_of=dt.date(2023, 5, 2), unit=unit, period=period)
PY
office="$(command -v libreoffice || command -v soffice)"
"$office" -env:UserInstallation="file://$out/lo-profile" --headless --convert-to pdf --outdir "$out" "$out/mau_NTVT.xlsx"
pdftoppm -r 80 -png "$out/mau_NTVT.pdf" "$out/page"
ls "$out"/page*.png
