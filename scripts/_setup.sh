# Shared steps of scripts/serve and scripts/test (sourced, not run). Debian 12, as root.
# Every step is idempotent and skipped when already done, so reruns are fast.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

say() { printf '\n==> %s\n' "$*"; }

# apt_ensure PKG...: install the Debian packages that are missing (apt-get update once).
apt_ensure() {
    local missing=() pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$pkg")
        fi
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "Run as root (or install sudo) to install: ${missing[*]}" >&2; return 1; }
        sudo=(sudo)
    fi
    say "Installing system packages: ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# python_ensure EXTRAS: create .venv if missing and install the pinned dependencies
# ("" for runtime only, "test" for runtime + test tools). Skipped when pyproject.toml has not
# changed since the last install with the same extras.
python_ensure() {
    local extras="$1" spec="." stamp
    if [ -n "$extras" ]; then
        spec=".[$extras]"
    fi
    if [ ! -x "$PY" ] || ! "$PY" -m pip --version >/dev/null 2>&1; then
        say "Creating the virtual environment .venv"
        # Debian 12's python3 is 3.11, the version pyproject.toml requires.
        "$(command -v python3.11 || command -v python3)" -m venv --clear "$VENV"
    fi
    stamp="$VENV/.pins-installed${extras:+-$extras}"
    local digest
    digest="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
        return 0
    fi
    say "Installing Python dependencies ($spec)"
    (cd "$ROOT" && "$PY" -m pip install -q -e "$spec")
    if [[ "$extras" == *oracle* ]]; then
        # pabutools declares gurobipy (proprietary, unused by the oracle tests): no deps.
        "$PY" -m pip install -q --no-deps pabutools==1.2.3
    fi
    echo "$digest" > "$stamp"
}

# secrets_ensure: a SECRET_KEY (and ballot pseudonym key) generated once into the
# git-ignored .env.local, then exported.
secrets_ensure() {
    local env_file="$ROOT/.env.local"
    if [ ! -f "$env_file" ]; then
        say "Generating .env.local (SECRET_KEY, BALLOT_PSEUDONYM_KEY)"
        (umask 077 && "$PY" - > "$env_file" <<'PYEOF'
import secrets
print(f"SECRET_KEY={secrets.token_urlsafe(50)}")
print(f"BALLOT_PSEUDONYM_KEY={secrets.token_urlsafe(50)}")
PYEOF
        )
    fi
    set -a
    # shellcheck disable=SC1090
    . "$env_file"
    set +a
}

# messages_ensure: compile the translations when a .po file has no .mo beside it, or one
# older than the .po (the .mo files are committed; this catches one forgotten or stale).
messages_ensure() {
    local po missing=0
    while IFS= read -r po; do
        [ -f "${po%.po}.mo" ] && [ ! "$po" -nt "${po%.po}.mo" ] || missing=1
    done < <(find "$ROOT" -path "$VENV" -prune -o -name '*.po' -print)
    if [ "$missing" -eq 1 ]; then
        apt_ensure gettext
        (cd "$ROOT" && DEBUG=1 "$PY" manage.py compilemessages -v0 --ignore=.venv)
    fi
}

RUNTIME_APT=(python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils)
