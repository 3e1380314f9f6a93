#!/usr/bin/env bash
# setup-deps.sh: install the Debian packages tux3-tools builds and tests with.
# Idempotent: installs only what is missing; does nothing when all is present.
# Usage: scripts/setup-deps.sh [--bench]   (--bench adds the peer tools bench/ runs)
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  libboost-program-options-dev libfmt-dev libzstd-dev libblkid-dev
  libisal-dev libxxhash-dev liburing-dev libfuse3-dev fuse3 libedit-dev libgtest-dev nlohmann-json3-dev
  e2fsprogs util-linux fdisk zstd python3
)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(xfsprogs btrfs-progs hyperfine time bc fio fuse2fs dbench)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "setup-deps: installing ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "setup-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
