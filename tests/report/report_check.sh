#!/usr/bin/env bash
# kvmscope report / compare end to end with real gnuplot, on a fixture whose
# strings are hostile (tests/fixtures/results/hostile-strings.json: markup,
# quotes, newlines, gnuplot commands, terminal escapes in labels and names).
#   report_check.sh KVMSCOPE FIXTURE_DIR
set -uo pipefail
K=$1
FIX=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

command -v gnuplot >/dev/null || { echo "SKIP: gnuplot is not installed (apt-get install gnuplot-nox)"; exit 77; }
cp "$FIX/hostile-strings.json" h.json

# 1. report: Markdown, HTML and plots, nothing executed, nothing unescaped
"$K" report h.json -o rep >out.txt 2>err.txt; rc=$?
[ $rc = 0 ] && ok "report exit 0" || { bad "report exit $rc"; cat err.txt; }
for f in rep/report.md rep/report.html; do [ -s $f ] && ok "$f written" || bad "$f missing"; done
npng=$(ls rep/plots/*.png 2>/dev/null | wc -l); nsvg=$(ls rep/plots/*.svg 2>/dev/null | wc -l)
[ "$npng" -ge 6 ] && [ "$npng" = "$nsvg" ] && ok "$npng PNG + $nsvg SVG plots" || bad "plots: $npng png, $nsvg svg"
for p in rep/plots/*.png; do file "$p" | grep -q 'PNG image data' || bad "$p is not a PNG"; done
for p in rep/plots/*.svg; do grep -q '<svg' "$p" || bad "$p is not an SVG"; done
[ -s rep/plots/gnuplot.log ] && { bad "gnuplot complained:"; cat rep/plots/gnuplot.log; } || ok "gnuplot ran clean"
[ ! -e PWNED ] && [ ! -e /tmp/PWNED ] && [ ! -e rep/plots/PWNED ] && ok "no command from the file ran" || bad "a command from the file ran"
grep -q '<script' rep/report.html && bad "raw <script> in the HTML" || ok "no raw <script> in the HTML"
grep -q '<img src=x' rep/report.html && bad "raw <img> in the HTML" || ok "no raw <img> in the HTML"
grep -q '&lt;script&gt;' rep/report.html && ok "markup shown escaped in the HTML" || bad "escaped markup missing"
grep -q "<script\|<img src" rep/report.md && bad "raw markup in the Markdown" || ok "no raw markup in the Markdown"
grep -q '\\\[x\\\](javascript' rep/report.md && ok "link syntax neutralised in the Markdown" || bad "link syntax in the Markdown"
# every gnuplot string is single-quoted and the labels carry no quote or newline:
# so each line that mentions a label keeps an even number of quotes
awk -F"'" 'NF > 0 && NF % 2 == 0 { print "odd quotes: " $0; bad = 1 } END { exit bad }' rep/plots/plots.gp \
	&& ok "plots.gp: every string closed on its line" || bad "plots.gp has an unbalanced quote"
grep -qE "^set output '/tmp|^plot 1" rep/plots/plots.gp && bad "injected gnuplot command" || ok "no injected gnuplot command"
grep -q $'\x1b' out.txt err.txt && bad "terminal escape printed" || ok "no terminal escape on stdout/stderr"
grep -q 'img-src data:' rep/report.html && ok "HTML has a CSP and inline images" || bad "HTML CSP missing"

# 2. compare A/A on the same file: nothing significant; env table present
"$K" compare h.json h.json -o cmp >cmp.txt 2>&1; rc=$?
[ $rc = 0 ] && ok "compare exit 0" || { bad "compare exit $rc"; cat cmp.txt; }
grep -q "0 of [0-9]* compared benchmarks differ significantly" cmp.txt && ok "identical sets: no difference" || { bad "identical sets differ"; cat cmp.txt; }
grep -q "only in\|not compared: unsupported" cmp.txt && ok "unsupported benchmark listed as such" || bad "unsupported benchmark not listed"

# 3. bad input: exit 1, the file and the field named, nothing written
printf '{"schema": "kvmscope-results", "schema_version": 1, "complete": tru' >trunc.json
"$K" report trunc.json -o rep2 >/dev/null 2>e2.txt; rc=$?
[ $rc = 1 ] && grep -q "trunc.json: line 1, column" e2.txt && ok "truncated file: exit 1, file and position named: $(cat e2.txt)" || bad "truncated file: rc $rc: $(cat e2.txt)"
[ ! -e rep2/report.md ] && ok "nothing written for a bad file" || bad "report written for a bad file"
"$K" compare h.json missing.json >/dev/null 2>e3.txt; rc=$?
[ $rc = 1 ] && grep -q "missing.json: No such file" e3.txt && ok "missing file named" || bad "missing file: rc $rc $(cat e3.txt)"
"$K" compare h.json >/dev/null 2>&1; [ $? = 2 ] && ok "compare with one set: usage error 2" || bad "compare with one set"

# 4. without gnuplot: the report is still written and says why
KVMSCOPE_GNUPLOT=/nonexistent/gnuplot "$K" report h.json -o rep3 >/dev/null 2>e4.txt; rc=$?
[ $rc = 0 ] && grep -q "no plots: cannot run /nonexistent/gnuplot" e4.txt && grep -q "could not be drawn" rep3/report.md \
	&& ok "no gnuplot: report without plots, reason given" || bad "no gnuplot: rc $rc $(cat e4.txt)"

# 5. no root needed: run as nobody when we are root
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 755 "$W"; chmod 644 h.json
	mkdir -m 777 nob
	if setpriv --reuid=65534 --regid=65534 --clear-groups "$K" report h.json -o nob/r >/dev/null 2>e5.txt; then
		ok "report runs as an unprivileged user"
	else
		bad "report as nobody: $(cat e5.txt)"
	fi
fi
echo "$fails failure(s)"
[ $fails = 0 ]
