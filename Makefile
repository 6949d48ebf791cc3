# dlbook: `make book` builds the course, `make test` runs every check. Both create or refresh .venv as needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JB     := $(BIN)/jupyter-book
PORT   ?= 8000
# Notebooks run two at a time and do many small matrix products: one BLAS thread each is fastest on 2 cores.
NBENV  := OPENBLAS_NUM_THREADS=1

.PHONY: env book pdf test serve vendor lint unit notebooks book-strict browser bench clean help

help:
	@echo "make book   - build the HTML book into _build/html, with the PDF edition (_build/html/dlbook.pdf)"
	@echo "make pdf    - build the PDF edition alone (the single-page build printed by Chromium)"
	@echo "make test   - lint, unit tests, notebooks (nbmake), strict book build, browser tests"
	@echo "make serve  - serve _build/html on http://127.0.0.1:$(PORT)"
	@echo "make bench  - speed of dlbook against PyTorch CPU and the machine's matmul rate"
	@echo "make student - the student edition for instructors (nbgrader course, no solutions) in _build/student"

# --- environment ----------------------------------------------------------------------------------------------
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@

env: $(STAMP)

# Local copies of MathJax, require.js, the widget manager and anywidget's front end (see book/_ext/dlbook_book.py).
vendor: _vendor/.stamp
_vendor/.stamp: package.json package-lock.json tools/vendor_assets.py $(STAMP)
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --ignore-scripts --loglevel=error && \
		$(BIN)/python tools/vendor_assets.py && touch $@; \
	else \
		echo "npm not found: the book will load MathJax and the widget manager from CDNs (install Node.js for an offline book)"; \
	fi

# --- the book ---------------------------------------------------------------------------------------------------
# Notebooks run two at a time into the execution cache first; the build then reads them from the cache.
book: $(STAMP) vendor
	$(NBENV) $(BIN)/python tools/execute_parallel.py
	$(NBENV) $(JB) build . --builder html
	@if command -v chromium >/dev/null 2>&1; then \
		$(MAKE_PDF); \
	else \
		echo "chromium not found: the PDF edition is not built (apt-get install chromium, then make pdf)"; \
	fi
	@echo "The book is at $(CURDIR)/_build/html/index.html"

# The PDF edition: the single-page build (notebooks from the execution cache) printed by Debian's Chromium
# (tools/make_pdf.py). It is written into the web book, whose front page links to it.
PDF := _build/html/dlbook.pdf
MAKE_PDF = $(NBENV) $(JB) build . --builder singlehtml && \
	$(BIN)/python tools/make_pdf.py --source _build/singlehtml --output $(PDF)

pdf: $(STAMP) vendor
	$(NBENV) $(BIN)/python tools/execute_parallel.py
	$(MAKE_PDF)

serve:
	@test -f _build/html/index.html || $(MAKE) book
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

# --- tests ------------------------------------------------------------------------------------------------------
test: lint unit notebooks book-strict pdf browser

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# loadgroup: the tests of one xdist_group (the hosted-service venv, the Binder venv) share a worker and its fixtures.
unit: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadgroup -m "not browser and not jupyterlab" tests

# nbmake runs copies of the chapters and keeps their outputs, so that book-strict reuses these runs (each notebook
# executes once per `make test`).
# Kernels listen on Unix sockets (tools/ipc_kernels.py): two kernels starting together on TCP can collide on a port.
notebooks: $(STAMP)
	rm -rf .nbmake && mkdir -p .nbmake
	cp -r book .nbmake/book
	$(NBENV) PYTHONPATH=tools $(BIN)/pytest -p ipc_kernels -n 2 --nbmake --nbmake-timeout=300 --overwrite .nbmake/book

# Every page re-read (so no warning hides behind the incremental build); executed notebooks come from the cache.
book-strict: $(STAMP) vendor
	$(NBENV) $(BIN)/python tools/execute_parallel.py --executed .nbmake
	$(NBENV) $(JB) build . --builder html --all -W -n --keep-going

# Two Chromiums at once (the pages mostly wait on rendering); the JupyterLab tests share one worker (loadgroup), so
# that two JupyterLab servers never start together.
browser: $(STAMP) book-strict pdf
	$(BIN)/pytest -n 2 --dist loadgroup -m "browser or jupyterlab" tests

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# The chapters with every solution replaced by nbgrader's markers and the dlbook.check calls as graded tests
# (_build/student/source), and nbgrader's release version of it (_build/student/release). See tools/make_student.py.
student: $(STAMP)
	$(BIN)/python tools/make_student.py --out _build/student --release

clean:
	rm -rf _build _vendor node_modules .nbmake
