#!/bin/sh
# tests/layers.sh: `make check` runs scripts/check-layers on the source tree.
exec "${srcdir:-.}/scripts/check-layers" "${srcdir:-.}"
