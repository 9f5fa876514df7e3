#!/usr/bin/env bash
# One entry point for authors, maintainers and CI.
#   ./run.sh serve   set up what is missing, then serve the site on 127.0.0.1:8000
#   ./run.sh test    set up what is missing, then run the whole test suite
#   ./run.sh build   set up what is missing, then build the site into site/
# Set-up is idempotent: a second run installs nothing and starts in seconds.
set -euo pipefail
cd "$(dirname "$0")"

# System packages: the Graphviz `dot` binary, a Hangul font for figure labels,
# the math font (DejaVu Math TeX Gyre) and (for the browser tests) Debian's Chromium.
SYSTEM_PACKAGES=(graphviz fonts-nanum fonts-dejavu-extra chromium)
VENV=.venv
PY=${PYTHON:-python3}

# Material prints a banner about MkDocs 2.0 on every build; we pin mkdocs 1.6
# (constraints.txt), so it only buries our own messages.
export NO_MKDOCS_2_WARNING=1

say() { printf '\033[1m[run.sh]\033[0m %s\n' "$*" >&2; }

missing_system_packages() {
    local pkg missing=()
    for pkg in "${SYSTEM_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    echo "${missing[@]:-}"
}

ensure_system_packages() {
    if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
        local need=()
        command -v dot >/dev/null 2>&1 || need+=("Graphviz (the 'dot' command)")
        fc-list 2>/dev/null | grep -qi nanum || need+=("a Hangul font (Nanum: fonts-nanum)")
        fc-list 2>/dev/null | grep -qi "DejaVu Math TeX Gyre" || need+=("the math font (DejaVu Math TeX Gyre: fonts-dejavu-extra)")
        command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || need+=("Chromium (for browser tests)")
        if [ ${#need[@]} -gt 0 ]; then
            say "apt-get is not available here. Install these with your package manager, then run again:"
            printf '  - %s\n' "${need[@]}" >&2
            exit 1
        fi
        return
    fi
    local missing
    missing=$(missing_system_packages)
    [ -z "$missing" ] && return
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || { say "Need root or sudo to install: $missing"; exit 1; }
        sudo=(sudo)
    fi
    say "Installing system packages: $missing"
    "${sudo[@]}" apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

ensure_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        command -v "$PY" >/dev/null 2>&1 || { say "Python 3.11+ is required ('$PY' not found)."; exit 1; }
        "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
            || { say "Python 3.11+ is required; '$PY' is $("$PY" --version 2>&1)."; exit 1; }
        if ! "$PY" -m venv "$VENV" 2>/dev/null; then
            say "Cannot create a virtual environment; install python3-venv (apt-get install python3-venv)."
            exit 1
        fi
    fi
    # Reinstall only when what we install from has changed.
    local stamp="$VENV/.installed" want
    want=$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        say "Installing Python packages into $VENV"
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'
        echo "$want" > "$stamp"
    fi
}

cmd=${1:-}
shift || true
case "$cmd" in
    serve)
        ensure_system_packages; ensure_venv
        exec "$VENV/bin/mkdocs" serve -a 127.0.0.1:8000 "$@" ;;
    build)
        ensure_system_packages; ensure_venv
        exec "$VENV/bin/mkdocs" build --strict "$@" ;;
    test)
        ensure_system_packages; ensure_venv
        exec "$VENV/bin/python" -m pytest "$@" ;;
    *)
        echo "usage: ./run.sh serve | test | build  [extra args]" >&2
        exit 2 ;;
esac
