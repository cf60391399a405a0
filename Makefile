# Neural Networks from Scratch: two commands on a fresh machine (only python3 needed).
#   make lab    set up .venv and open JupyterLab on the chapters
#   make test   set up .venv and run every test (unit tests, notebooks, exercises)
# More: make test-browser, make notebooks [NB=path.ipynb], make exercises, make progress, make bench,
#       make lint, make clean (a broken or moved .venv is rebuilt by the next make on its own)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BSTAMP := $(VENV)/.installed-browser
PORT   ?= 8888
# JupyterLab refuses to run as root (containers, CI) without --allow-root
ROOTFLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
NB     ?= chapters/*.ipynb solutions/*.ipynb
PYTEST_ARGS ?=

# The course's matrices are small: one BLAS thread each is faster than threads fighting over
# two cores (measured: spiral training 0.4 s vs 10+ s under load).
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=300

.PHONY: setup lab test test-unit test-notebooks test-browser notebooks exercises bench clean progress lint FORCE

# Is .venv usable? "none" (not made yet), "no-python" (its python is gone: the system's python was
# upgraded or removed), "no-pip" (made without pip, e.g. before Debian's python3-venv was
# installed), "moved" (its editable install points to another checkout: the folder was moved or
# copied: its scripts' #! lines point there too) or "ok". The next make rebuilds a broken .venv.
VENV_STATE := $(shell \
  if [ ! -d $(VENV) ]; then echo none; \
  elif ! $(BIN)/python -I -c "" >/dev/null 2>&1; then echo no-python; \
  elif ! $(BIN)/python -I -c "import pip" >/dev/null 2>&1; then echo no-pip; \
  elif ! grep -qF "$(CURDIR)/$(BIN)/python" $(BIN)/pip 2>/dev/null; then echo moved; \
  elif [ -f $(STAMP) ] && ! $(BIN)/python -I -c "import course_lib, os, sys; sys.exit(os.path.realpath(os.path.dirname(course_lib.__file__)) != os.path.realpath(sys.argv[1]))" "$(CURDIR)/course_lib" >/dev/null 2>&1; then echo moved; \
  else echo ok; fi)

ifneq ($(filter no-python no-pip moved,$(VENV_STATE)),)
$(STAMP): FORCE
endif
FORCE:

# Not --quiet: on a first run pip's lines are the progress (one "Collecting ..." per package,
# readable in CI logs too).
$(STAMP): requirements.txt pyproject.toml jupyter/overrides.json
	@echo "setting up $(VENV) (first run: a few minutes)..."
	@case "$(VENV_STATE)" in \
	  no-python|no-pip) echo "$(VENV) is broken ($(VENV_STATE)): rebuilding it from scratch"; rm -rf $(VENV);; \
	  moved) echo "$(VENV) was made in another folder (moved checkout?): rebuilding it"; rm -rf $(VENV);; \
	esac
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -I -c "import pip" 2>/dev/null || { rm -rf $(VENV); echo "$(PYTHON) -m venv made a .venv without pip: install your system's venv support (Debian/Ubuntu: apt-get install python3-venv), then run make again"; exit 1; }
	$(BIN)/python -m pip install --disable-pip-version-check -r requirements.txt
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp jupyter/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $(STAMP)

setup: $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab $(ROOTFLAG) --port=$(PORT) --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/chapters/00_numpy.ipynb

# Every test but the browser ones: the linter (ruff), the drift check of the generated exercises,
# then unit tests + hygiene + exercise smoke run (tests/) and nbval in strict mode on chapters/
# and solutions/.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m course_lib.exercises check
	$(BIN)/python -m pytest tests chapters solutions -m "not browser" $(NBVAL) --durations=15 $(PYTEST_ARGS)

test-unit: $(STAMP)
	$(BIN)/python -m pytest tests -m "not browser" $(PYTEST_ARGS)

test-notebooks: $(STAMP)
	$(BIN)/python -m pytest $(NB) $(NBVAL) $(PYTEST_ARGS)

$(BSTAMP): $(STAMP) requirements-browser.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-browser.txt
	touch $(BSTAMP)

# JupyterLab in Debian's Chromium (apt-get install chromium); never downloads a browser.
test-browser: $(BSTAMP)
	@test -x /usr/bin/chromium || { echo "make test-browser needs Debian's chromium: apt-get install -y chromium"; exit 1; }
	$(BIN)/python -m pytest tests/browser -m browser -v $(PYTEST_ARGS)

# Re-execute notebooks in place (stored outputs), then regenerate the exercises of the solution
# notebooks among them.
notebooks: $(STAMP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.timeout=300 --ExecutePreprocessor.record_timing=False \
	  --ExecutePreprocessor.store_widget_state=False $(NB)
	@names="$(notdir $(basename $(filter solutions/%,$(wildcard $(NB)))))"; \
	if [ -n "$$names" ]; then $(BIN)/python -m course_lib.exercises build $$names; fi

# A learner's own progress: grades exercises/ with the course's checkers (temporary copies; the
# notebooks are never written) and prints one line per chapter.
progress: $(STAMP)
	$(BIN)/python -m course_lib.grade exercises/

exercises: $(STAMP)
	$(BIN)/python -m course_lib.exercises build

bench: $(STAMP)
	for script in benchmarks/*.py; do $(BIN)/python $$script || exit 1; done

# ruff with the config in pyproject.toml (100 columns, pycodestyle, pyflakes, import order)
lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache
