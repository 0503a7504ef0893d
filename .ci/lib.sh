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

install_prerequisites() {
    check_swift
    install_system_packages
}
