# Two commands on a fresh clone:  `make run` (index seeds/ if needed, start the chat)
# and `make test` (the whole suite; CI runs exactly this).
.PHONY: run test lint bench

run:
	./scripts/bootstrap.sh run
	.venv/bin/rag serve --index-if-empty seeds/

test:
	./scripts/bootstrap.sh dev
	./scripts/system-deps.sh
	.venv/bin/python -m pytest
	./scripts/eval-gate.sh

lint:
	./scripts/bootstrap.sh dev
	.venv/bin/ruff check rag index ui tests benchmarks
	.venv/bin/mypy

bench:
	./scripts/bootstrap.sh dev
	.venv/bin/python benchmarks/run_all.py
