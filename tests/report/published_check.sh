#!/usr/bin/env bash
# The published result sets (results/published/*/) still say what their
# READMEs claim: re-run compare on the committed runs and check
#  - the A/A comparison finds no significant difference for the large
#    majority of benchmarks (at most 1 in 8 flagged);
#  - the A/B comparison gives the verdicts listed in the set's expect.txt
#    ("BENCHMARK VERDICT-PREFIX" per line, e.g. "mem_lend_64M slower");
#  - the verdict lines match the committed ab.txt/aa.txt (the analysis is
#    deterministic: a change in the statistics shows up here).
#   published_check.sh KVMSCOPE PUBLISHED_DIR
set -uo pipefail
K=$1; PUB=$2
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
fails=0; sets=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
join() { local IFS=,; echo "$*"; }
for d in "$PUB"/*/; do
	[ -f "$d/expect.txt" ] || continue
	sets=$((sets + 1)); name=$(basename "$d")
	A=(); B=(); AO=(); AE=()
	n=$(ls "$d"/a[0-9]*.json | wc -l)
	for i in $(seq 1 "$n"); do
		A+=("$d/a$i.json"); B+=("$d/b$i.json")
		if [ $((i % 2)) = 1 ]; then AO+=("$d/a$i.json"); else AE+=("$d/a$i.json"); fi
	done
	"$K" compare --no-plots -l "A: defaults" "$(join "${A[@]}")" -l "B: $(cat "$d/b-args")" \
		"$(join "${B[@]}")" -o "$W/ab-$name" >"$W/ab-$name.txt" || bad "$name: A/B compare failed"
	"$K" compare --no-plots -l "A (odd runs)" "$(join "${AO[@]}")" -l "A (even runs)" \
		"$(join "${AE[@]}")" -o "$W/aa-$name" >"$W/aa-$name.txt" || bad "$name: A/A compare failed"
	# A/A: count the flagged benchmarks
	read -r flagged total < <(sed -n 's/^\([0-9]*\) of \([0-9]*\) compared benchmarks differ.*/\1 \2/p' "$W/aa-$name.txt")
	if [ -n "${total:-}" ] && [ $((flagged * 8)) -le "$total" ]; then
		echo "ok: $name A/A: $flagged of $total benchmarks flagged"
	else
		bad "$name A/A: ${flagged:-?} of ${total:-?} flagged"
	fi
	while read -r bench want; do
		[ -z "$bench" ] || [ "${bench#\#}" != "$bench" ] && continue
		got=$(awk -v b="$bench" '$1 == b' "$W/ab-$name.txt" | sed 's/.*  //')
		case $got in
		"$want"*) echo "ok: $name A/B $bench: $got" ;;
		*) bad "$name A/B $bench: '$got', expected '$want'" ;;
		esac
	done <"$d/expect.txt"
	for k in ab aa; do
		if diff <(grep -E '^[a-z_0-9]+ +ns' "$d/$k.txt") <(grep -E '^[a-z_0-9]+ +ns' "$W/$k-$name.txt") >/dev/null; then
			echo "ok: $name $k: same table as the committed $k.txt"
		else
			bad "$name $k: the table differs from the committed $k.txt"
			diff <(grep -E '^[a-z_0-9]+ +ns' "$d/$k.txt") <(grep -E '^[a-z_0-9]+ +ns' "$W/$k-$name.txt") | head -10
		fi
	done
done
[ $sets -gt 0 ] || { echo "SKIP: no published set with an expect.txt under $PUB"; exit 77; }
echo "$sets set(s), $fails failure(s)"
[ $fails = 0 ]
