# Glimpse: `make run` to play, `make test` to check everything.
SHELL := /bin/bash
VENV := .venv
FACES_VENV := .venv-faces
FER_VENV := .venv-fer
FACEAPI := .faceapi/node_modules/@vladmandic/face-api
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
CHROMIUM := /usr/bin/chromium
export GLIMPSE_DATABASE ?= $(CURDIR)/var/glimpse.db

.PHONY: run test lint bench validate-faces contact-sheet clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP) install --quiet -e '.[test]'
	touch $@

# mediapipe 0.10.14 bundles the FaceMesh models but needs numpy<2 and protobuf<5: its own virtualenv.
$(FACES_VENV)/.installed:
	python3 -m venv $(FACES_VENV)
	$(FACES_VENV)/bin/pip install --quiet mediapipe==0.10.14 'numpy<2' 'protobuf<5' playwright
	touch $@

run: $(VENV)/.installed
	$(VENV)/bin/flask --app game migrate
	$(PY) -m game.backup run -- $(VENV)/bin/gunicorn -c gunicorn.conf.py wsgi:app

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "Browser tests need Debian's chromium at $(CHROMIUM): run 'sudo apt-get install chromium'" >&2; exit 1; \
	fi

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check game tests bench scripts wsgi.py gunicorn.conf.py

# node --test tests/js/ runs inside pytest (tests/test_js.py), beside the browser tests, not before them.
test: $(VENV)/.installed-test $(FACES_VENV)/.installed $(CHROMIUM) lint
	$(VENV)/bin/pytest -n 2 --dist loadfile

bench: $(VENV)/.installed-test $(CHROMIUM)
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

# The second opinion in validate-faces: the fer classifier bundles its model (a quantized TFLite file)
# but not its runtime. Only what fer.FER with its Haar face finder imports: TensorFlow (the TFLite
# interpreter), OpenCV < 5 (5 moved CascadeClassifier out), setuptools < 81 (pkg_resources); not the
# facenet-pytorch (torch), moviepy and pandas its metadata asks for, hence --no-deps. Offline at run time.
$(FER_VENV)/.installed:
	python3 -m venv $(FER_VENV)
	$(FER_VENV)/bin/pip install --quiet --no-deps fer==25.10.3
	$(FER_VENV)/bin/pip install --quiet tensorflow-cpu==2.21.0 'opencv-python-headless>=4.8,<5' pillow requests \
		'setuptools<81'
	touch $@

# The third opinion: face-api's expression net, run in headless Chromium by scripts/faceapi_classify.py.
# The npm package ships its weights (model/*.bin) and a TensorFlow.js bundle (dist/face-api.esm.js);
# it has no dependencies, so nothing else is installed and nothing is fetched at run time. 12 MB.
.faceapi/installed:
	mkdir -p .faceapi
	npm install --prefix .faceapi --no-save --no-package-lock --ignore-scripts --no-audit --no-fund \
		@vladmandic/face-api@1.7.15
	touch $@

validate-faces: $(FACES_VENV)/.installed $(FER_VENV)/.installed .faceapi/installed $(CHROMIUM)
	$(FACES_VENV)/bin/python scripts/validate_faces.py --identities 240 --seed 1 --fer $(FER_VENV)/bin/python \
		--faceapi $(FACEAPI)

contact-sheet: $(VENV)/.installed-test $(CHROMIUM)
	$(PY) scripts/contact_sheet.py

clean:
	rm -rf $(VENV) $(FACES_VENV) $(FER_VENV) .faceapi var test-results screenshots
