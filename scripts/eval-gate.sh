#!/usr/bin/env bash
# The eval gate (issue 5), run by `make test` after pytest:
# index the corpus a question set names (eval/seeds.yaml: seeds/ + eval/canaries/) into a
# fresh temporary index, then run the set retrieval-only and in full mode with the embedded
# model (generative, greedy decoding, fixed seed), each against its committed baseline.
# Fails when either run regresses beyond the tolerance.
#
#   scripts/eval-gate.sh            compare with eval/baselines/<set>-{retrieval,full}.json
#   scripts/eval-gate.sh --update   write those baselines from this run instead (commit them)
set -uo pipefail
cd "$(dirname "$0")/.."

RAG=.venv/bin/rag
SET=${EVAL_SET:-eval/seeds.yaml}
BASELINES=${EVAL_BASELINES:-eval/baselines}
name=$(basename "$SET" .yaml)
flag=--baseline
if [[ "${1:-}" == "--update" ]]; then
    flag=--save-baseline
    mkdir -p "$BASELINES"
fi

# Only the gate's own settings: no rag.toml, no RAG_* variables from the caller.
while read -r var; do unset "$var"; done < <(compgen -e | grep '^RAG_' || true)
export RAG_CONFIG=/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export RAG_INDEX_DIR="$work/index"

SECONDS=0
mapfile -t corpus < <("$RAG" eval corpus "$SET") || exit 2
[[ ${#corpus[@]} -gt 0 ]] || { echo "eval gate: $SET names no corpus" >&2; exit 2; }
"$RAG" index --quiet "${corpus[@]}" || exit 2
echo "eval gate: indexed ${corpus[*]} in ${SECONDS}s"

status=0
start=$SECONDS
"$RAG" eval "$SET" --retrieval-only "$flag" "$BASELINES/$name-retrieval.json" || status=1
echo "eval gate: retrieval-only run took $((SECONDS - start))s"
start=$SECONDS
RAG_LLM_BACKEND=embedded RAG_ANSWER_MODE=generative \
    "$RAG" eval "$SET" "$flag" "$BASELINES/$name-full.json" || status=1
echo "eval gate: full run (embedded model) took $((SECONDS - start))s; total ${SECONDS}s"

if [[ $status -ne 0 ]]; then
    echo "eval gate: FAILED (a metric dropped below its baseline, or a run failed)" >&2
fi
exit $status
