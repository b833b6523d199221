#!/usr/bin/env bash
# compare.sh: issue 11's side by side from the runs qemu_gunyah.suite and
# qemu_gunyah.baseline just made (suite.sh keeps them in
# KVMSCOPE_GUNYAH_KEEP as gunyah.json, vhe.json, nvhe.json): kvmscope
# compare of KVM VHE, KVM nVHE and Gunyah must render report.md,
# report.html and its plots (PNG and SVG). One boot per side: TCG timings,
# a smoke of the comparison, not a published result (results/published/
# has the 4-boot set).
set -u
: "${KVMSCOPE:?}" "${KVMSCOPE_GUNYAH_KEEP:?}"
K=$KVMSCOPE_GUNYAH_KEEP
for side in vhe nvhe gunyah; do
	[ -f "$K/$side.json" ] || { echo "SKIP: no $side run in $K (qemu_gunyah.suite and .baseline make them; they skipped or failed)"; exit 77; }
done
command -v gnuplot >/dev/null || { echo "SKIP: gnuplot is not installed (scripts/deps.sh installs gnuplot-nox)"; exit 77; }
out=$K/compare
rm -rf "$out"
"$KVMSCOPE" compare -l "KVM VHE" "$K/vhe.json" -l "KVM nVHE" "$K/nvhe.json" -l Gunyah "$K/gunyah.json" \
	-o "$out" > "$K/compare.txt" 2>&1
rc=$?
cat "$K/compare.txt"
[ $rc -eq 0 ] || { echo "FAIL: kvmscope compare exited $rc"; exit 1; }
for f in report.md report.html; do
	[ -s "$out/$f" ] || { echo "FAIL: no $out/$f"; exit 1; }
done
png=$(find "$out" -name '*.png' | wc -l)
svg=$(find "$out" -name '*.svg' | wc -l)
[ "$png" -gt 0 ] && [ "$svg" -gt 0 ] || { echo "FAIL: no plots ($png PNG, $svg SVG) in $out"; exit 1; }
for side in "KVM VHE" "KVM nVHE" Gunyah; do
	grep -q "$side" "$out/report.html" || { echo "FAIL: report.html does not name $side"; exit 1; }
done
echo "compare: $out/report.html, $png PNG and $svg SVG plots"
echo PASS
