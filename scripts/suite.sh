#!/usr/bin/env bash
# The suite as `make test` runs it: pytest on every core (pytest-xdist, one module per
# worker at a time), with the MultiHop-RAG index that the MultiHop tests and the eval gate
# share built beside it (scripts/multihop_index.py: a no-op when ~/.cache has it; about
# 6 minutes of embedding on two cores when not), then the eval gate.
#
#   scripts/suite.sh [pytest options...]
set -uo pipefail
cd "$(dirname "$0")/.."

build_log=$(mktemp)
trap 'rm -f "$build_log"' EXIT
# The MultiHop tests ask for the same build; theirs waits for this one's write lock.
.venv/bin/python scripts/multihop_index.py --build >"$build_log" 2>&1 &
build=$!

.venv/bin/python -m pytest -n auto --dist loadfile "$@"
tests=$?
if ! wait "$build"; then
    echo "suite: building the MultiHop-RAG index failed:" >&2
    cat "$build_log" >&2
fi
[[ $tests -eq 0 ]] || exit "$tests"
exec ./scripts/eval-gate.sh
