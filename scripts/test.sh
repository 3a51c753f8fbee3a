#!/usr/bin/env bash
# `npm test`: type-check and lint while the app for a /lattice/ sub-path builds on the other core
# (the proxy test serves it), then build the app and run every test project.
set -uo pipefail
cd "$(dirname "$0")/.."
PATH="$PWD/node_modules/.bin:$PATH"

tsx tests/support/prebuild-subpath.ts &
subpath=$!
npm run typecheck && npm run lint
checks=$?
wait "$subpath"
built=$?
if [ "$checks" -ne 0 ] || [ "$built" -ne 0 ]; then exit 1; fi
nuxt build && node --import ./scripts/polyfills.mjs node_modules/vitest/vitest.mjs run "$@"
