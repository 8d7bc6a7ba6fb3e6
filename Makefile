# Two commands on a fresh clone:  `make run` (index seeds/ if needed, start the chat)
# and `make test` (the whole suite; CI runs exactly this).
.PHONY: run test check lint bench

run:
	./scripts/bootstrap.sh run
	.venv/bin/rag serve --index-if-empty seeds/

test:
	./scripts/bootstrap.sh dev
	./scripts/system-deps.sh
	.venv/bin/lint-imports
	./scripts/suite.sh

# The fast inner loop: lint, layer contracts and the suite without model, browser and
# subprocess tests (under 2 minutes on 2 cores). `make test` still runs everything.
check:
	./scripts/bootstrap.sh dev
	.venv/bin/ruff check rag index ui tests benchmarks
	.venv/bin/lint-imports
	.venv/bin/python -m pytest -q -m "not slow and not model and not subprocess and not browser"

lint:
	./scripts/bootstrap.sh dev
	.venv/bin/ruff check rag index ui tests benchmarks
	.venv/bin/mypy
	.venv/bin/lint-imports

bench:
	./scripts/bootstrap.sh dev
	.venv/bin/python benchmarks/run_all.py
