#!/bin/sh
# check_plugin_names.sh: no shipped plugin's name is a string literal in
# the core (issue 17): what `l2l bench` times comes from bench/default.ini,
# what a suite runs from the suite. The names are read from the plugins
# themselves (the `.name` of every plugin's exported struct under plugins/); the core's C files are
# read without their comments (the compiler's own preprocessor, -fpreprocessed:
# no includes, no macros expanded), and a literal equal to a name, such as
# "lstm" or "mlp", is an error naming the file and line.
top=$(cd "$(dirname "$0")/.." && pwd)
cc=${CC:-cc}
# the .name of each plugin's exported struct (l2l_optimizer, l2l_optimizee)
names=$(find "$top/plugins" -name '*.c' -exec awk '
    /l2l_optimiz(er|ee) = \{/ { inside = 1 }
    inside && /\.name *= *"/ { sub(/.*\.name *= *"/, ""); sub(/".*/, ""); print }
    inside && /^\};/ { inside = 0 }' {} + | sort -u)
if [ -z "$names" ]; then
    echo "check_plugin_names: no plugin names found under $top/plugins" >&2
    exit 1
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
bad=0
for f in $(find "$top/core" -name '*.c' | sort); do
    # numbered as in the file: the line markers (# N "file") say where
    # the next line is, where comments took lines away
    "$cc" -fpreprocessed -dD -E "$f" 2>/dev/null >"$tmp/pp" || {
        echo "check_plugin_names: $cc cannot read $f" >&2
        exit 1
    }
    awk '/^# [0-9]+ "/ { line = $2 - 1; next } { line++; print line ":" $0 }' "$tmp/pp" >"$tmp/code"
    for n in $names; do
        grep -F "\"$n\"" "$tmp/code" | while IFS= read -r hit; do
            echo "${f#$top/}:${hit%%:*}: plugin name \"$n\" as a string literal: ${hit#*:}" >&2
            echo x
        done
    done >>"$tmp/hits"
done
if [ -s "$tmp/hits" ]; then
    echo "check_plugin_names: $(wc -l <"$tmp/hits") literal(s) naming a plugin in core/ (name it in a suite or bench file instead)" >&2
    exit 1
fi
echo "check_plugin_names: none of $(echo $names | wc -w) plugin names ($(echo $names)) is a string literal in core/"
