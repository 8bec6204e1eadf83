#!/bin/sh
# Install what numasim needs on a Debian machine, only if something is missing.
# Never purges or autoremoves: on Debian 12 binutils depends on libjansson4, so
# removing packages can take the compiler with it.
set -eu
# gnuplot draws figures, valgrind and strace serve `numasim record`; Slurm is
# installed by its own test when it runs (tests/experiments/test_slurm.sh).
# clang and libclang-rt-14-dev: the libFuzzer harnesses (make fuzz, docs/fuzzing.md)
PKGS="libjansson-dev pkg-config libcmocka-dev zlib1g-dev liblzma-dev libzstd-dev gnuplot-nox valgrind strace
      clang libclang-rt-14-dev"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "numasim: missing Debian packages:$missing" >&2
    echo "numasim: run 'make deps' as root, or install them yourself" >&2
    exit 1
fi
echo "numasim: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
