#!/bin/sh
# tests/robust/hostile_names.sh: untrusted strings in generated files
# (issue 16, class 1). Names (sections, optimizers, optimizees,
# experiments, figures, suites, plugins) that are not names are refused
# where first read (suite, results CSV, plugin vtable, command line) with
# FILE:LINE and status 2. Hostile free text (titles, a description) goes
# through `l2l run` and `l2l plot` with nothing executed (no file named
# pwned* ever appears, also when the saved gnuplot scripts are run again),
# figures still rendered, the text shown as written in experiments.csv,
# index.html, report.md and the figures.
. "$(dirname "$0")/common.sh"

Q='[optimizee quad]
plugin = quadratic
dim = 3
batch = 2'
S='[optimizer sgd]
plugin = sgd
lr = 0.01'
E='optimizee = quad
optimizers = sgd
steps = 5
runs = 2'

no_pwned() {
    n_cases=$((n_cases + 1))
    found=$(find "$tmp" -name 'pwned*' | head -n 3)
    if [ -n "$found" ]; then
        fail "$1: a hostile string was executed: $found"
        find "$tmp" -name 'pwned*' -exec rm -f {} +
        return 1
    fi
    say "ok $1: nothing executed"
}

# --- names refused in a suite: FILE:LINE, status 2, nothing written ---
# name_case CASE LINE REGEX SUITE-TEXT
name_case() {
    printf '%s\n' "$4" >"$1.ini"
    expect "$1" 2 "^$1\\.ini:$2: $3" run "$1.ini" -o "out-$1" --quiet &&
        check "$1: no results directory" test ! -e "out-$1"
}
name_case optimizer-quotes 5 "section header '\\[optimizer x\"\\.system\\(\"touch pwned\"\\)\\.\"\\]': a space inside the name" \
    "$Q
[optimizer x\".system(\"touch pwned\").\"]
plugin = sgd"
name_case experiment-backquote 8 "section header '\\[experiment \`touch pwned\`\\]': a space inside the name" \
    "$Q
$S
[experiment \`touch pwned\`]
$E"
name_case optimizee-dollar 1 "section header '\\[optimizee a\\\$\\(touch pwned\\)\\]': a space inside the name" \
    "[optimizee a\$(touch pwned)]
plugin = quadratic"
name_case experiment-comma 8 "\\[experiment a,b\\]: expected a name .*',' is not allowed" \
    "$Q
$S
[experiment a,b]
$E"
name_case optimizer-space 5 "section header '\\[optimizer a b\\]': a space inside the name" \
    "$Q
[optimizer a b]
plugin = sgd"
name_case optimizer-hidden 5 "\\[optimizer \\.hidden\\]: expected a name .*starts with '\\.'" \
    "$Q
[optimizer .hidden]
plugin = sgd"
name_case optimizer-dotdot 5 "\\[optimizer \\.\\.\\]: expected a name .*starts with '\\.'" \
    "$Q
[optimizer ..]
plugin = sgd"
name_case optimizer-dash 5 "\\[optimizer -rf\\]: expected a name .*starts with '-'" \
    "$Q
[optimizer -rf]
plugin = sgd"
name_case experiment-plus 8 "\\[experiment \\+1\\+1\\]: expected a name .*starts with '\\+'" \
    "$Q
$S
[experiment +1+1]
$E"
name_case experiment-html 8 "\\[experiment <b>x</b>\\]: expected a name .*'<' is not allowed" \
    "$Q
$S
[experiment <b>x</b>]
$E"
long=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa # 65
name_case name-too-long 13 "\\[experiment e\\] figure: expected a name .*got 'a{60}\\.\\.\\.': 65 characters, over 64" \
    "$Q
$S
[experiment e]
$E
figure = $long"
name_case case-twin 8 "section \\[optimizer SGD\\] differs from \\[optimizer sgd\\] \\(line 5\\) only in case" \
    "$Q
$S
[optimizer SGD]
plugin = sgd
[experiment e]
$E"
name_case figure-path 13 "\\[experiment e\\] figure: expected a name .*got '\\.\\./\\.\\./x'" \
    "$Q
$S
[experiment e]
$E
figure = ../../x"
name_case figure-quote 13 "\\[experiment e\\] figure: expected a name .*got 'a'b': \"'\" is not allowed" \
    "$Q
$S
[experiment e]
$E
figure = a'b"
name_case suite-name 2 "\\[suite\\] name: expected a name .*got '\\.x'" \
    "[suite]
name = .x
$Q
$S
[experiment e]
$E"
name_case plugin-key 6 "\\[optimizer o\\] plugin: expected a name .*got 'sgd;x'" \
    "$Q
[optimizer o]
plugin = sgd;x"
no_pwned "names refused in suites"

# --- a plugin whose vtable declares a name that is not one ---
printf '%s\n[optimizer o]\nplugin = %s\n[experiment e]\n%s\n' "$Q" \
    "$builddir/tests/plugins/.libs/broken_name.so" "$E" | sed 's/optimizers = sgd/optimizers = o/' >vtable-name.ini
expect vtable-name 2 "^vtable-name\\.ini:6: \\[optimizer o\\] plugin: .*broken_name\\.so: the vtable's name: expected a name .*',' is not allowed" \
    run vtable-name.ini -o out-vtable --quiet
check "vtable-name: no results directory" test ! -e out-vtable

# --- names on the command line ---
expect describe-comma 2 "^l2l describe: expected a name .*got 'sgd,x'" describe 'sgd,x'
expect describe-dotdot 2 "^l2l describe: expected a name .*got '\\.\\.'" describe '..'
expect describe-backquote 2 "^l2l describe: expected a name .*got '\`touch pwned\`'" describe '`touch pwned`'
no_pwned "names on the command line"

# --- hostile free text through l2l run and l2l plot ---
# One experiment per title; titles are kept as written (the INI reader
# strips outer spaces and ' ;' comments, so none here has them).
T1='x".system("touch pwned1")."'
T2='`touch pwned2` and "`touch pwned2b`"'
T3="it's 'single' ''doubled'' '''' \$(touch pwned3) \${HOME} @macro \\n \\\\"
T4='<script>alert(1)</script> & <b>bold</b> &amp;'
T5='# *md* _em_ | cell | [link](http://x) ![i](y) `code` ~~s~~ $x$ id="x" href='"'#y'"' url(#z)'
T6='a, b,, "c", ""'
cat >hostile.ini <<EOF
[suite]
description = \`\`\`\` fence <script>alert(2)</script> \`touch pwned4\`
$Q
[optimizer sgd]
plugin = sgd
lr = 0.01, 0.1
[experiment e1]
$E
title = $T1
[experiment e2]
$E
title = $T2
[experiment e3]
$E
title = $T3
figure = group+1
[experiment e4]
$E
title = $T4
figure = group+1
[experiment e5]
$E
title = $T5
[experiment e6]
$E
title = $T6
EOF
sed -i 's/^runs = 2$/runs = 2\ntune_runs = 1/' hostile.ini
expect hostile-run 0 "" run hostile.ini -o out --quiet
no_pwned "hostile titles: l2l run"
check "hostile-run: summary.csv written" test -s out/summary.csv
n_gp=$(ls out/figures/*.gp 2>/dev/null | wc -l)
n_budget=$(ls out/figures/budget_*.gp out/figures/profile_*.gp 2>/dev/null | wc -l)
check "hostile-run: figures (13 scripts: 6 convergence, 6 tuning, 1 group; and $n_budget tuning budgets and profiles)" test "$((n_gp - n_budget))" -eq 13
for gp in out/figures/*.gp; do
    b=${gp%.gp}
    check "hostile-run: $(basename "$b") rendered" test -s "$b.png" -a -s "$b.svg"
done

# experiments.csv: RFC 4180, each title as written
csv_field() { printf '%s' "$1" | sed 's/"/""/g; s/.*/"&"/'; }
check "experiments.csv: title 1 quoted" grep -qxF "e1,quad,5,2,e1,$(csv_field "$T1")" out/experiments.csv
check "experiments.csv: title 2 quoted" grep -qxF "e2,quad,5,2,e2,$(csv_field "$T2")" out/experiments.csv
check "experiments.csv: title 3 as is" grep -qxF "e3,quad,5,2,group+1,$T3" out/experiments.csv
check "experiments.csv: title 6 quoted" grep -qxF "e6,quad,5,2,e6,$(csv_field "$T6")" out/experiments.csv

# index.html: HTML-escaped, no tag from a title
html() { printf '%s' "$1" | sed "s/&/\\&amp;/g; s/</\\&lt;/g; s/>/\\&gt;/g; s/\"/\\&quot;/g; s/'/\\&#39;/g"; }
for k in 1 2 3 4 5 6; do
    eval "t=\$T$k"
    check "index.html: title $k shown as written" grep -qF "<h3>$(html "$t")</h3>" out/index.html
done
check "index.html: no <script> from a title or the description" sh -c '! grep -q "<script" out/index.html'

# report.md: Markdown-escaped headings; the manifest in a longer fence
md() { printf '%s' "$1" | sed 's/[][\\`*_{}<>#|~&$]/\\&/g'; }
for k in 1 2 3 4 5 6; do
    eval "t=\$T$k"
    check "report.md: title $k heading" grep -qxF "### $(md "$t")" out/report.md
done
check "report.md: manifest fenced by 5 backquotes (the description has 4)" grep -qx '`````ini' out/report.md

# the figures show the titles as written (gnuplot XML-escapes SVG text)
for k in 1 2 3; do
    eval "t=\$T$k"
    check "convergence_e$k.svg: title $k shown as written" grep -qF "<text>$t (2 runs)</text>" out/figures/convergence_e$k.svg
    check "tuning_e$k.svg: title $k shown as written" grep -qF "<text>Tuning on $t: mean" out/figures/tuning_e$k.svg
done

# index.html prefixes the ids of each inline SVG, not the text of a title
check "index.html: SVG text with id= and url(# kept" grep -qF "<text>$T5 (2 runs)</text>" out/index.html

# the saved scripts, run again as the README says, run nothing either
for gp in out/figures/*.gp; do
    (cd out/figures && gnuplot "$(basename "$gp")" >/dev/null 2>&1) || fail "gnuplot $gp failed"
done
no_pwned "hostile titles: the saved scripts run again"
expect hostile-plot 0 "" plot out
no_pwned "hostile titles: l2l plot"

# --- a doctored results directory: free text straight from the CSV ---
cp -r out doctored
{
    head -n 1 out/experiments.csv
    printf 'e1,quad,5,2,e1,"two\nlines `touch pwned5` and '"'"'q'"'"'"\n'
    sed -n '3,$p' out/experiments.csv
} >doctored/experiments.csv
expect doctored-title 0 "" plot doctored
no_pwned "doctored title with a line break"
check "doctored: the line break kept in index.html" sh -c "tr '\\n' '~' <doctored/index.html | grep -qF '<h3>two~lines \`touch pwned5\` and &#39;q&#39;</h3>'"
check "doctored: the line break becomes a space in report.md" grep -qxF '### two lines \`touch pwned5\` and '"'q'" doctored/report.md

# --- names refused in a doctored results directory ---
# bad_dir CASE FILE LINE COLUMN SED-SCRIPT: FILE of a copy of out edited by
# SED-SCRIPT, then l2l plot.
bad_dir() {
    rm -rf "d-$1"
    cp -r out "d-$1"
    sed -i "$5" "d-$1/$2"
    expect "$1" 2 "^d-$1/$2:$3: column '$4': expected a name" plot "d-$1"
    no_pwned "$1"
}
bad_dir csv-optimizer-quotes optimizers.csv 2 optimizer 's/^sgd,/"x"".system(""touch pwned"").""",/'
bad_dir csv-optimizer-backquote optimizers.csv 2 optimizer 's/^sgd,/`touch pwned`,/'
bad_dir csv-optimizer-dotdot optimizers.csv 2 optimizer 's/^sgd,/..,/'
bad_dir csv-plugin-comma optimizers.csv 2 plugin 's/,sgd,/,"a,b",/'
bad_dir csv-experiment-slash experiments.csv 2 experiment 's/^e1,/..\/..\/x,/'
bad_dir csv-optimizee-newline experiments.csv 2 optimizee '2s/,quad,/,"q\nx",/'
bad_dir csv-figure-path experiments.csv 4 figure 's/,group+1,/,..\/x,/'
bad_dir csv-param-quote tuning.csv 2 param "2s/,sgd,lr,/,sgd,l'r,/"
rm -rf d-twin
cp -r out d-twin
printf 'SGD,sgd,0\n' >>d-twin/optimizers.csv
expect csv-optimizer-case-twin 2 "^d-twin/optimizers.csv:3: optimizer 'SGD' listed twice \\(names are compared ignoring case\\)" plot d-twin

# a doctored experiments.csv asking for 1e13 curve points (80 TB)
rm -rf d-huge
cp -r out d-huge
sed -i '2s/^e1,quad,5,2,/e1,quad,100000000,100000,/' d-huge/experiments.csv
expect csv-huge 2 "^d-huge/experiments.csv: runs x \\(steps \\+ 1\\) x 1 optimizers = [0-9]+ curve points, over 67108864: too many to plot" plot d-huge

# --- hostile benchmark names in a bench CSV (labels, never file names) ---
printf 'benchmark,n,metric,value,unit\n%s,10,coord_steps_per_s,100,1/s\n%s,100,coord_steps_per_s,90,1/s\n' \
    "\"x'.system(\"\"touch pwned6\"\").'-eval\"" "\"\`touch pwned7\`\"" >bench.csv
expect bench-hostile 0 "" plot bench.csv
no_pwned "hostile benchmark names"

finish
