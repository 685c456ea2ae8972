#!/bin/sh
# The main job on a fresh machine: set up .venv, install the Argos models the config needs
# (downloads them once; offline, this stops with exit code 3 and says how to install from
# files), then translate input/ and publish feeds/. Exit codes are xlate's (see README).
set -e
cd "$(dirname "$0")"
make -s setup
.venv/bin/xlate models install || exit $?
exec .venv/bin/xlate run "$@"
