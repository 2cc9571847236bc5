# Every target creates or reuses the virtual environment it needs; nothing has to be installed by hand
# except Java 17 (Spark's JVM). `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
VENV_SPARK4 := .venv-spark4
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
STAMP_SPARK4 := $(VENV_SPARK4)/.installed
PIP_QUIET := --quiet --disable-pip-version-check

.DEFAULT_GOAL := help
.PHONY: help demo test test-unit test-spark4 lint bench clean java

help: ## Show this help
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

MODEL_REQUIREMENTS := requirements/spacy-model.txt

$(STAMP): pyproject.toml $(MODEL_REQUIREMENTS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install $(PIP_QUIET) --upgrade pip
	$(PY) -m pip install $(PIP_QUIET) -e '.[dev]' 'pyspark>=3.5.4,<3.6'
	$(PY) -m pip install $(PIP_QUIET) --no-deps --require-hashes -r $(MODEL_REQUIREMENTS)
	@touch $@

$(STAMP_SPARK4): pyproject.toml $(MODEL_REQUIREMENTS)
	@test -x $(VENV_SPARK4)/bin/python || $(PYTHON) -m venv $(VENV_SPARK4)
	$(VENV_SPARK4)/bin/python -m pip install $(PIP_QUIET) --upgrade pip
	$(VENV_SPARK4)/bin/python -m pip install $(PIP_QUIET) -e '.[dev]' 'pyspark>=4.0,<4.2'
	$(VENV_SPARK4)/bin/python -m pip install $(PIP_QUIET) --no-deps --require-hashes -r $(MODEL_REQUIREMENTS)
	@touch $@

java:
	@command -v java >/dev/null || { echo "Java 17 is required (Spark's JVM): apt-get install openjdk-17-jre-headless" >&2; exit 1; }

demo: $(STAMP) java ## Generate a synthetic estate, serve it from a local S3 endpoint, scan it, print a summary
	$(PY) -m demo

test: $(STAMP) java ## Run the whole test suite on Spark 3.5 (unit, Spark integration, end to end)
	$(PY) -m pytest

test-unit: $(STAMP) ## Run the fast tests that need no Spark
	$(PY) -m pytest tests/unit

test-spark4: $(STAMP_SPARK4) java ## Run the Spark tests again on Spark 4 (Glue 6, EMR 8)
	$(VENV_SPARK4)/bin/python -m pytest tests/integration

lint: $(STAMP) ## Lint (ruff) and type-check (mypy --strict)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: $(STAMP) java ## The benchmark suite (about 30 min); writes BENCHMARKS.md [CASES=scan,presidio]
	$(PY) -m bench $(if $(CASES),--cases '$(CASES)')

.PHONY: package
package: $(STAMP) ## Build dist/ for Glue and EMR: wheel, entry scripts, module list, environment archive [EXTRAS=nlp] [MODEL_WHEEL=path]
	$(PY) -m deploy.package $(if $(EXTRAS),--extras '$(EXTRAS)') $(if $(MODEL_WHEEL),--model-wheel '$(MODEL_WHEEL)')

.PHONY: accuracy
accuracy: $(STAMP) java ## Column/object accuracy on a labelled estate vs Presidio; writes BENCHMARKS.md
	$(PY) -m bench.accuracy

.PHONY: coverage-report
SOURCES ?= s3://*
coverage-report: $(STAMP) ## Coverage (gap) report: OUTPUT=<scan --output> [SOURCES='s3://* glue://db'] [SINCE=date]
	@test -n "$(OUTPUT)" || { echo "usage: make coverage-report OUTPUT=s3://bucket/base [SOURCES='s3://* glue://db'] [SINCE=2026-11-01]" >&2; exit 2; }
	$(PY) -m jobs.coverage --output '$(OUTPUT)' $(foreach s,$(SOURCES),--source '$(s)') $(if $(SINCE),--since '$(SINCE)')

.PHONY: athena-sql
DATABASE ?= piiscan
athena-sql: export ATHENA_SQL_OUTPUT = $(OUTPUT)
athena-sql: export ATHENA_SQL_DATABASE = $(DATABASE)
athena-sql: $(STAMP) ## Print the Athena DDL and views (docs/athena.md): OUTPUT=s3://bucket/base [DATABASE=piiscan]
	@test -n "$$ATHENA_SQL_OUTPUT" || { echo "usage: make -s athena-sql OUTPUT=s3://bucket/base [DATABASE=piiscan]" >&2; exit 2; }
	@$(PY) -m jobs.athena_sql --output "$$ATHENA_SQL_OUTPUT" --database "$$ATHENA_SQL_DATABASE"

clean: ## Remove virtual environments, demo output and caches
	rm -rf $(VENV) $(VENV_SPARK4) demo-output dist build .pytest_cache .mypy_cache .ruff_cache
