#!/usr/bin/env bash
# One entry point for authors, maintainers and CI.
#   ./run.sh serve   set up what is missing, then serve the site at
#                    http://127.0.0.1:8000/dlfs-backprop/ (another address: -a 127.0.0.1:8001)
#   ./run.sh test    set up what is missing, then run the whole test suite
#   ./run.sh build   set up what is missing, then build the site into site/
# Set-up is idempotent: a second run installs nothing and starts in seconds. The first
# run shows each package as it is downloaded and installed; the full logs stay in
# $VENV/install-pip.log (apt: $TMPDIR/run.sh-apt.log).
set -euo pipefail
cd "$(dirname "$0")"

# System packages: the Graphviz `dot` binary, a Hangul font for figure labels,
# the math font (DejaVu Math TeX Gyre) and (for the browser tests) Debian's Chromium.
SYSTEM_PACKAGES=(graphviz fonts-nanum fonts-dejavu-extra chromium)
VENV=${BACKPROP_VENV:-.venv}  # another folder only for run.sh's own tests
PY=${PYTHON:-python3}

# Material prints a banner about MkDocs 2.0 on every build; we pin mkdocs 1.6
# (constraints.txt), so it only buries our own messages.
export NO_MKDOCS_2_WARNING=1

say() { printf '\033[1m[run.sh]\033[0m %s\n' "$*" >&2; }

# Shows an installer's progress while it runs: one short line per package it fetches
# or sets up, numbered against the total when the installer announces one (in a
# terminal the line is rewritten in place). Everything it printed goes to the log file
# $1, whose tail is shown if the installer fails. $2 is apt or pip; $3 the number of
# packages expected, if known beforehand.
show_progress() {
    local log=$1 kind=$2 total=${3:-?} line step="" name="" n=0 start=$SECONDS
    local overwrite=0
    [ -t 2 ] && overwrite=1
    : > "$log"
    while IFS= read -r line; do
        printf '%s\n' "$line" >> "$log"
        step=""
        case $kind in
            apt)
                if [[ $line =~ ([0-9]+)\ newly\ installed ]]; then total=${BASH_REMATCH[1]}
                elif [[ $line =~ ^Get:[0-9]+\ +[^\ ]+\ +[^\ ]+\ +[^\ ]+\ +([^\ ]+)\ .*\[(.+)\]$ ]]; then
                    step="downloading ${BASH_REMATCH[1]} (${BASH_REMATCH[2]})"
                elif [[ $line =~ ^Setting\ up\ ([^\ ]+) ]]; then
                    n=$((n + 1)); step="set up ${BASH_REMATCH[1]}"
                fi ;;
            pip)
                # "Collecting numpy<3,>=2 (from …)", or "Processing /…/numpy-2.4.6-cp311-….whl"
                if [[ $line =~ ^Collecting\ ([A-Za-z0-9._-]+) ]]; then
                    n=$((n + 1)); name=${BASH_REMATCH[1]}; step=$name
                elif [[ $line =~ ^Processing\ .*/([A-Za-z0-9._]+)-([^-/]+)-[^/]*\.whl ]]; then
                    n=$((n + 1)); step="${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
                elif [[ $line =~ ^Requirement\ already\ satisfied:\ ([A-Za-z0-9._-]+) ]]; then
                    n=$((n + 1)); step="${BASH_REMATCH[1]} (already there)"
                elif [[ $overwrite -eq 1 && $line =~ ^\ +Downloading\ .*\((.+)\)$ ]]; then
                    step="$name: downloading ${BASH_REMATCH[1]}"
                elif [[ $line =~ ^Installing\ collected\ packages:\ (.*)$ ]]; then
                    local count
                    count=$(tr ',' '\n' <<<"${BASH_REMATCH[1]}" | wc -l)
                    step="installing $count package(s) into $VENV (the longest step: no output until it is done)"
                fi ;;
        esac
        [ -z "$step" ] && continue
        if [ $overwrite -eq 1 ]; then
            printf '\r\033[K  [%s/%s %3ds] %s' "$n" "$total" $((SECONDS - start)) "${step:0:100}" >&2
        else
            printf '  [%s/%s %3ds] %s\n' "$n" "$total" $((SECONDS - start)) "$step" >&2
        fi
    done
    [ $overwrite -eq 1 ] && printf '\r\033[K' >&2
    return 0
}

# with_progress LOG KIND TOTAL COMMAND...: runs the command with its output going
# through show_progress; on failure shows the log's tail and stops.
with_progress() {
    local log=$1 kind=$2 total=$3 start=$SECONDS
    shift 3
    if "$@" 2>&1 | show_progress "$log" "$kind" "$total"; then
        say "done in $((SECONDS - start)) s (full log: $log)"
    else
        say "failed; the last lines of $log:"
        tail -n 25 "$log" >&2
        exit 1
    fi
}

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
    say "Installing system packages with apt-get: $missing (about a minute on a fresh machine)"
    "${sudo[@]}" apt-get update -qq
    # shellcheck disable=SC2086
    with_progress "${TMPDIR:-/tmp}/run.sh-apt.log" apt "" \
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
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
        local pinned
        pinned=$(grep -cE '^[A-Za-z0-9]' constraints.txt || true)
        say "Installing Python packages into $VENV ($pinned pinned in constraints.txt; a minute or two the first time)"
        with_progress "$VENV/install-pip.log" pip "$pinned" \
            "$VENV/bin/python" -m pip install --progress-bar off --disable-pip-version-check -c constraints.txt -e '.[test]'
        echo "$want" > "$stamp"
    fi
    # Bytecode for the plugin and the book's library, as installing a wheel would leave:
    # with PYTHONDONTWRITEBYTECODE set (some shells and CI images set it) an editable
    # install is otherwise compiled from source by every build and every worker process.
    # Only files changed since the last run are compiled again.
    "$VENV/bin/python" -m compileall -q plugin layers >/dev/null || true
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
