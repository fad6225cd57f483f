# Sourced by scripts/run and scripts/test: the set-up both need on a fresh machine.
#
# A virtual environment: the active one ($VIRTUAL_ENV), else $GOX_VENV, else .venv in the
# checkout (made here with python3 -m venv); $PY is its python.  gox_install_package installs
# the package into it (editable, with the test extras; the install compiles the C runtime)
# only when what the install depends on changed since the last install: pyproject.toml,
# setup.py and the C sources.  Python edits need no install (editable), so a second run starts
# at once instead of reinstalling (13.8 s before).
cd "$(dirname "$0")/.."
venv=${VIRTUAL_ENV:-${GOX_VENV:-$PWD/.venv}}
if [ ! -x "$venv/bin/python" ]; then
    echo "set-up: making the virtual environment $venv" >&2
    python3 -m venv "$venv"
fi
PY="$venv/bin/python"

gox_install_package() {
    local stamp="$venv/.gox-ref-install" want
    want="$(cat pyproject.toml setup.py gox_ref_native/gox_abi.h gox_ref_native/src/* | sha256sum | cut -d' ' -f1) $PWD"
    if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        echo "set-up: gox-ref in $venv is up to date" >&2
        return
    fi
    echo "set-up: installing gox-ref into $venv" >&2
    "$PY" -m pip install -q --disable-pip-version-check -e ".[test]"
    echo "$want" > "$stamp"
}
