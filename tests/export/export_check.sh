#!/usr/bin/env bash
# kvmscope export end to end: every format from the published set (one run
# and three pooled), the fixture with hostile strings and a variant of it
# whose names and fields are spreadsheet formulas; each output checked by
# check_export.py against the formats' documented fields and against the
# medians recomputed from the samples (and against `kvmscope report`'s
# table); output files written atomically; bad input and bad usage.
#   export_check.sh KVMSCOPE REPO
set -uo pipefail
K=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
REPO=$(cd "$2" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
CHK="$HERE/check_export.py"
W=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-export.XXXXXX")
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
PUB=$REPO/results/published/2026-11-28-x86-testbed-halt-poll
HOST=$REPO/tests/fixtures/results/hostile-strings.json
python3 "$CHK" formula-fixture "$HOST" formula.json || { bad "cannot make the formula fixture"; exit 1; }

# 1. each format, to files (-o) and to stdout; the checker recomputes everything
check_set() { # TAG SPEC
	local tag=$1 spec=$2
	mkdir -p "$tag"
	"$K" export -f squad -o "$tag/squad" "$spec" >"$tag/out" 2>"$tag/err" || { bad "$tag: squad exit $?: $(cat "$tag/err")"; return; }
	"$K" export -f kcidb -o "$tag/kcidb.json" "$spec" >>"$tag/out" 2>"$tag/kerr" || { bad "$tag: kcidb exit $?"; return; }
	"$K" export -f csv -o "$tag/table.csv" "$spec" >>"$tag/out" 2>>"$tag/err" || { bad "$tag: csv exit $?"; return; }
	[ -s "$tag/err" ] && bad "$tag: stderr: $(cat "$tag/err")"
	grep -q "placeholder build 'kvmscope:unknown-build'" "$tag/kerr" && ok "$tag: kcidb without --build-id warns of the placeholder" \
		|| bad "$tag: no placeholder warning: $(cat "$tag/kerr")"
	python3 "$CHK" squad "$spec" "$tag/squad-metrics.json" "$tag/squad-tests.json" "$tag/squad-metadata.json" || bad "$tag: squad"
	python3 "$CHK" kcidb "$spec" "$tag/kcidb.json" || bad "$tag: kcidb"
	python3 "$CHK" csv "$spec" "$tag/table.csv" || bad "$tag: csv"
	# stdout carries the same bytes as the files
	"$K" export -f csv "$spec" 2>/dev/null | cmp -s - "$tag/table.csv" || bad "$tag: csv on stdout differs from -o"
	"$K" export -f kcidb "$spec" 2>/dev/null | cmp -s - "$tag/kcidb.json" || bad "$tag: kcidb on stdout differs from -o"
	"$K" export -f squad "$spec" | cmp -s - "$tag/squad-metrics.json" || bad "$tag: squad stdout is not the metrics file"
	for p in tests metadata; do
		"$K" export -f squad --part $p "$spec" | cmp -s - "$tag/squad-$p.json" || bad "$tag: --part $p differs"
	done
	ls -A "$tag" | grep -q '\.tmp\.' && bad "$tag: a temporary file was left behind" || ok "$tag: outputs complete, no temporary file left"
}
check_set published "$PUB/a1.json"
check_set pooled "$PUB/a1.json,$PUB/a2.json,$PUB/a3.json"
check_set hostile "$HOST"
check_set formula formula.json
grep -q '"kvmscope/hyp_call-2"' formula/squad-metrics.json && ok "two names reduced to one are numbered" || bad "no hyp_call-2"
grep -q "^\"'=HYPERLINK(" formula/table.csv && grep -q "^'+1+1," formula/table.csv && grep -q "^'-2+3," formula/table.csv \
	&& grep -q "^'@SUM(A1:A9)," formula/table.csv && ok "formula cells start with a quote" || bad "formula cells not defused: $(head -3 formula/table.csv)"
grep -q '"job_id": "_none_-20261128T162655Z-x3"' pooled/squad-metadata.json && grep -q '"runs": "3"' pooled/squad-metadata.json \
	&& ok "pooled set: run id -x3, runs 3" || bad "pooled metadata: $(cat pooled/squad-metadata.json)"
grep -q $'\x1b' ./*/out ./*/err && bad "terminal escape printed" || ok "no terminal escape printed"

# 2. every ok result's median is the one `kvmscope report` shows
"$K" report --no-plots -o rep "$PUB/a1.json" >rep.txt 2>&1 || bad "report exit $?"
python3 "$CHK" report "$PUB/a1.json" published/table.csv rep.txt || bad "export vs report (one run)"
"$K" report --no-plots -o rep3 "$PUB/a1.json,$PUB/a2.json,$PUB/a3.json" >rep3.txt 2>&1 || bad "report exit $?"
python3 "$CHK" report "$PUB/a1.json,$PUB/a2.json,$PUB/a3.json" pooled/table.csv rep3.txt || bad "export vs report (pooled)"

# 3. the identifiers: options reach every id; -o as a directory or NAME.json
"$K" export -f kcidb --origin my_lab --build-id my_lab:build-42 --run-id rb3.boot-1 --suite kvm.rb3 \
	-o ids.json "$PUB/a1.json" >/dev/null 2>ids.err || bad "kcidb with options: exit $?"
[ -s ids.err ] && bad "kcidb with --build-id still warns: $(cat ids.err)"
python3 "$CHK" kcidb "$PUB/a1.json" ids.json --origin my_lab --build-id my_lab:build-42 --run-id rb3.boot-1 --suite kvm.rb3 \
	|| bad "kcidb ids from the options"
mkdir -p sq
"$K" export -f squad --suite kvm.rb3 --run-id job-7 -o sq/ "$PUB/a1.json" >/dev/null || bad "squad -o DIR/: exit $?"
python3 "$CHK" squad "$PUB/a1.json" sq/metrics.json sq/tests.json sq/metadata.json --suite kvm.rb3 --run-id job-7 \
	|| bad "squad into a directory with --suite/--run-id"
"$K" export -f squad -o sq "$PUB/a1.json" >/dev/null && [ -s sq/metrics.json ] || bad "squad -o existing dir"
"$K" export -f squad --part tests -o named.json "$PUB/a1.json" >/dev/null && [ -s named-tests.json ] && [ ! -e named-metrics.json ] \
	&& ok "squad -o NAME.json --part tests: NAME-tests.json only" || bad "squad -o NAME.json --part tests"
"$K" export -f csv -o - "$PUB/a1.json" | cmp -s - published/table.csv && ok "-o - is stdout" || bad "-o -"
"$K" export -f csv "$PUB/a1.json" >again.csv && cmp -s again.csv published/table.csv && ok "the same input gives the same bytes" || bad "not reproducible"
"$K" export -f csv --conf 0.99 -o c99.csv "$PUB/a1.json" >/dev/null && python3 "$CHK" csv "$PUB/a1.json" c99.csv --conf 0.99 \
	|| bad "--conf 0.99"

# 4. bad input: exit 1, the file named, nothing written, an existing output kept
printf '{"schema": "kvmscope-results", "schema_version": 1, "complete": tru' >trunc.json
cp published/table.csv keep.csv
for f in csv squad kcidb; do
	"$K" export -f $f -o keep.csv trunc.json >/dev/null 2>e.txt; rc=$?
	[ $rc = 1 ] && grep -q "trunc.json: line 1, column" e.txt && ok "$f: truncated file: exit 1: $(cat e.txt)" || bad "$f truncated: rc $rc: $(cat e.txt)"
done
cmp -s keep.csv published/table.csv && [ ! -e keep-metrics.json ] && ok "nothing written, the existing output kept" || bad "output touched on bad input"
"$K" export -f csv missing.json >/dev/null 2>e.txt; rc=$?
[ $rc = 1 ] && grep -q "missing.json: No such file" e.txt && ok "missing file: exit 1, named" || bad "missing: rc $rc $(cat e.txt)"
echo '{"hello": 1}' >other.json
"$K" export -f csv other.json >/dev/null 2>e.txt; rc=$?
[ $rc = 1 ] && grep -q "other.json: line 1: schema" e.txt && ok "not a results file: exit 1, named" || bad "other: rc $rc $(cat e.txt)"
"$K" export -f csv "$PUB/a1.json,trunc.json" >/dev/null 2>e.txt; rc=$?
[ $rc = 1 ] && grep -q "trunc.json" e.txt && ok "a bad run in a set: exit 1, that file named" || bad "bad run: rc $rc $(cat e.txt)"
"$K" export -f csv "$PUB/a1.json,$HOST" >/dev/null 2>e.txt; rc=$?
[ $rc = 1 ] && grep -q "runs of one set must be one configuration" e.txt && ok "runs of two configurations refused" || bad "mixed runs: rc $rc"
"$K" export -f csv -o no/such/dir/x.csv "$PUB/a1.json" >/dev/null 2>e.txt; rc=$?
[ $rc = 1 ] && grep -q "cannot write no/such/dir/x.csv" e.txt && ok "unwritable output: exit 1, named" || bad "unwritable: rc $rc $(cat e.txt)"

# 5. usage errors: exit 2
usage() { # ARGS...
	"$K" export "$@" >/dev/null 2>e.txt; local rc=$?
	[ $rc = 2 ] && ok "export $*: exit 2 ($(head -1 e.txt))" || bad "export $*: exit $rc, expected 2"
}
usage
usage "$PUB/a1.json"
usage -f xml "$PUB/a1.json"
usage -f csv
usage -f csv "$PUB/a1.json" "$PUB/a2.json"
usage -f csv --part tests "$PUB/a1.json"
usage -f squad --part nope "$PUB/a1.json"
usage -f kcidb --origin My-Lab "$PUB/a1.json"
usage -f kcidb --build-id build-42 "$PUB/a1.json"
usage -f kcidb --build-id BAD:42 "$PUB/a1.json"
usage -f squad --suite a/b "$PUB/a1.json"
usage -f squad --suite .a "$PUB/a1.json"
usage -f squad --run-id a/b "$PUB/a1.json"
usage -f csv --conf 2 "$PUB/a1.json"
usage -f csv --no-such-option "$PUB/a1.json"
"$K" export --help >help.txt; rc=$?
[ $rc = 0 ] && grep -q '^usage: kvmscope export' help.txt && ok "--help: exit 0, usage" || bad "--help: exit $rc"

echo "$fails failure(s)"
[ $fails = 0 ]
