#!/usr/bin/env bash
# The suite as `make test` runs it: the MultiHop-RAG index that the MultiHop tests and the
# eval gate share (scripts/multihop_index.py: a no-op when ~/.cache has it; about 5 minutes
# of embedding on two cores when not), then pytest on every core (pytest-xdist, one module
# per worker at a time), then the eval gate. The build runs first, not beside pytest: on two
# cores the two together took 13.4 minutes, against 6.2 + 5.4 one after the other.
#
#   scripts/suite.sh [pytest options...]
set -uo pipefail
cd "$(dirname "$0")/.."

build_log=$(mktemp)
trap 'rm -f "$build_log"' EXIT
if ! .venv/bin/python scripts/multihop_index.py --build >"$build_log" 2>&1; then
    # The MultiHop tests build it themselves (and say why it fails); the rest still run.
    echo "suite: building the MultiHop-RAG index failed:" >&2
    cat "$build_log" >&2
fi

.venv/bin/python -m pytest -n auto --dist loadfile "$@"
tests=$?
[[ $tests -eq 0 ]] || exit "$tests"
exec ./scripts/eval-gate.sh
