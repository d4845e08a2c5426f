#!/usr/bin/env bash
# Regenerate docs/images/tinh_hinh_nop.png: the "Tình hình nộp" sheet of the sample consolidation,
# rendered by LibreOffice as a person would print it. Needs libreoffice and pdftoppm.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
ntvt consolidate sample_workbooks/ -o "$out/tong_hop.xlsx" --as-of 2023-07-25 >/dev/null || true
libreoffice --headless --convert-to pdf --outdir "$out" "$out/tong_hop.xlsx" >/dev/null 2>&1
page=$(for p in $(seq 1 10); do text=$(pdftotext -f "$p" -l "$p" "$out/tong_hop.pdf" -); case "$text" in *"TÌNH HÌNH NỘP HỒ SƠ"*) echo "$p"; break;; esac; done)
pdftoppm -r 90 -png -f "$page" -l "$page" -singlefile "$out/tong_hop.pdf" docs/images/tinh_hinh_nop
echo "wrote docs/images/tinh_hinh_nop.png (page $page)"
