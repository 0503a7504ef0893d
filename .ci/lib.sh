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
