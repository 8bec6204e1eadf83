#!/bin/sh
# tests/e2e/test_packaging.sh BUILD_DIR - the numasim(1) man page and the bash
# completion: generated from the --help texts, installed by `make install`.
TAP_TMP=pkg; . "$(dirname "$0")/tap.sh"
TAP_LOG=/dev/null   # each failure below prints its own log
if [ ! -x "$N" ]; then echo "1..0 # SKIP numasim not built"; exit 0; fi

sh mk/manpage.sh "$N" >"$T/numasim.1"
missing=""
for c in run machine config trace "trace gen" record sweep "sweep collect" plot mlc cachegrind validate; do
    # every line of the command's --help is in the page, as text (roff escapes undone)
    # shellcheck disable=SC2086
    "$N" $c --help 2>&1 >"$T/help"
    sed -e 's/\\e/\\/g' -e 's/^\\&//' "$T/numasim.1" >"$T/page"
    while IFS= read -r line; do
        grep -qxF -- "$line" "$T/page" || { missing="$missing [$c: $line]"; break; }
    done <"$T/help"
done
if [ -z "$missing" ]; then ok "man page: every line of every command's --help"; else nok "man page lacks$missing"; fi
if command -v man >/dev/null 2>&1; then
    if MANWIDTH=100 man -l "$T/numasim.1" 2>"$T/man.err" | grep -q "numasim sweep collect" && ! [ -s "$T/man.err" ]; then
        ok "man page: renders without warnings"
    else nok "man page: man -l complains"; sed 's/^/#   /' "$T/man.err" | head -n 5; fi
else
    ok "man page: render check # SKIP man is not installed"
fi

sh mk/completion.sh "$N" >"$T/numasim.bash"
if command -v bash >/dev/null 2>&1; then
    got=$(bash -c '. "$1"
        t() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _numasim; printf "%s|" "${COMPREPLY[*]}"; }
        t numasim swe; t numasim run --pol; t numasim run -m sk; t numasim machine sh; t numasim trace gen --no-i; t numasim plot d --per' _ "$T/numasim.bash")
    if [ "$got" = "sweep|--policy|skx-2s|show|--no-init|--per-point|" ]; then ok "completion: commands, options, presets"
    else nok "completion: got '$got'"; fi
else
    ok "completion # SKIP bash is not installed"
fi

if command -v make >/dev/null 2>&1 && [ -f Makefile ]; then
    make -s install BUILD="$BUILD" DESTDIR="$T/root" PREFIX=/usr >"$T/install.log" 2>&1
    if [ -x "$T/root/usr/bin/numasim" ] && [ -s "$T/root/usr/share/man/man1/numasim.1" ] &&
       [ -s "$T/root/usr/share/bash-completion/completions/numasim" ] &&
       [ -s "$T/root/usr/share/numasim/plots/plot.sh" ]; then
        ok "make install: binary, man page, completion, plot scripts"
    else nok "make install"; sed 's/^/#   /' "$T/install.log" | tail -n 5; fi
fi
done_testing
