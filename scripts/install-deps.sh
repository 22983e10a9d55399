#!/bin/sh
# Installs everything gst-colo needs to build, test and run its demos from
# Debian 12's own packages.  Run as root (or through sudo).
# (libclang-rt-14-dev: clang's sanitizer runtimes and libFuzzer, for
# tests/fuzz and CC=clang scripts/test-sanitizers.sh; gcc's come with gcc.)
set -e
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends \
  ca-certificates \
  meson ninja-build pkg-config gcc clang \
  libclang-rt-14-dev \
  libglib2.0-dev \
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev \
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good \
  libpcap-dev tshark tcpdump \
  valgrind indent gettext \
  python3 python3-gi gir1.2-gstreamer-1.0 python3-scapy \
  iproute2 procps nftables ethtool \
  groff-base qemu-system-x86 graphviz \
  systemd man-db resource-agents libxml2-utils util-linux \
  debhelper dpkg-dev fakeroot lintian
