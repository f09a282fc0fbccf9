# Targets documented with '## ' are listed by `make` (or `make help`).
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# pytest-xdist workers for `make test`: one per physical core; e.g. `make test WORKERS=4`
WORKERS ?= auto
FAST := not slow and not browser and not postgres

.PHONY: help setup constraints template reports test test-fast browsers test-browser lint format lab sample-data bench docs

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) ## Create .venv and install the project with its dev tools, at constraints.txt's versions

constraints: $(STAMP) ## Record the versions of the working .venv in constraints.txt
	{ grep "^#" constraints.txt; $(BIN)/python -m pip freeze --exclude-editable; } > constraints.new
	mv constraints.new constraints.txt

TEMPLATE := src/portfolio_reports/project_template
template: ## Copy data/sample, notebooks and params into the project template that init writes
	for part in data/sample notebooks params; do rm -rf $(TEMPLATE)/$$part && cp -r $$part $(TEMPLATE)/$$part; done

reports: $(STAMP) ## Build every report for the latest quarter of the sample data
	$(BIN)/portfolio-reports build

test: $(STAMP) test-browser ## Run the whole test suite, on parallel workers (fetches a chromium first)
	$(BIN)/pytest -n $(WORKERS) --dist loadfile --durations=20

# The browser tests' chromium (tests/browser.py says which): when there is none, root fetches one
# as `make browsers` does; anyone else is told in one line which command to run.
test-browser: $(STAMP)
	@$(BIN)/python -m tests.browser >/dev/null 2>&1 || \
	if [ "$$(id -u)" = 0 ]; then \
		$(MAKE) --no-print-directory browsers && $(BIN)/python -m tests.browser >/dev/null; \
	else \
		echo "no chromium for the browser tests: run \`sudo make browsers\` (or \`make browsers\`" \
			"for Playwright's download, or set PORTFOLIO_REPORTS_CHROMIUM), then \`make test\`" >&2; \
		exit 2; \
	fi

test-fast: $(STAMP) ## Run the tests that need no kernel, browser or PostgreSQL (under a minute)
	$(BIN)/pytest -n $(WORKERS) -m '$(FAST)'

browsers: $(STAMP) ## Fetch a chromium for the browser tests: Debian's as root, else Playwright's
	if [ "$$(id -u)" = 0 ] && grep -qx 'ID=debian' /etc/os-release 2>/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
		$(BIN)/playwright install --no-shell chromium; \
	fi

lint: $(STAMP) ## Check style (ruff), the layer contract (import-linter) and types (mypy)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy

format: $(STAMP) ## Reformat the code with ruff
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

API_MODULES = notebook.report notebook.tiles notebook.story notebook.commercial notebook.income notebook.movers notebook.pipeline notebook.record \
	notebook.definitions notebook.adhoc builder.run builder.inputs builder.plan builder.kinds
DOCS ?= docs/api

docs: $(STAMP) ## Generate the API reference for analysts from the docstrings into docs/api (pdoc)
	$(BIN)/pdoc --docformat markdown -o $(DOCS) $(addprefix portfolio_reports.,$(API_MODULES))

lab: $(STAMP) ## Open JupyterLab on the notebooks
	$(BIN)/jupyter lab notebooks

sample-data: $(STAMP) ## Regenerate the synthetic sales of the sample data
	$(BIN)/python -m portfolio_reports.tools.synthetic_sales data/sample

bench: $(STAMP) ## Time the build against the naive loop and a process pool (a few minutes)
	$(BIN)/python benchmarks/bench_build.py
