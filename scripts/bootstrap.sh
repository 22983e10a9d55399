#!/bin/sh
# One command for a new Debian 12 machine: install dependencies, build,
# and run the demo.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/install-deps.sh
scripts/build.sh
scripts/demo.sh
