# Noi Day. `make run` serves the bundled MO.CA day; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi.py

.PHONY: run run-https test lint format bench translations extract clean

# Two stamps: `make run` installs only what running needs (requirements.txt); `make test`, the
# benchmarks and the linters add the test tools (requirements-dev.txt).
RUN_DEPS := $(VENV)/.installed-requirements
DEV_DEPS := $(VENV)/.installed-requirements-dev

$(RUN_DEPS): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(DEV_DEPS): requirements-dev.txt $(RUN_DEPS)
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

app/translations/%/LC_MESSAGES/messages.mo: app/translations/%/LC_MESSAGES/messages.po $(RUN_DEPS)
	$(BIN)/pybabel compile --use-fuzzy -d app/translations -l $* >/dev/null

translations: app/translations/it/LC_MESSAGES/messages.mo app/translations/en/LC_MESSAGES/messages.mo

run: $(RUN_DEPS) translations
	bash scripts/vendor-js.sh
	$(BIN)/flask db upgrade
	$(BIN)/flask event load --if-unchanged data/moca.yaml
	@echo "Noi Day on http://127.0.0.1:$(PORT)/  (caught e-mail: http://127.0.0.1:$(PORT)/dev/mail/)"
	MAIL_CATCH=1 PUBLIC_URL=http://127.0.0.1:$(PORT) $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# The demo over HTTPS with a self-signed certificate, reachable from the LAN (desk cameras).
run-https: $(RUN_DEPS) translations
	bash scripts/vendor-js.sh
	$(BIN)/flask db upgrade
	$(BIN)/flask event load --if-unchanged data/moca.yaml
	@test -f instance/cert.pem || openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=noiday-lan" \
		-keyout instance/key.pem -out instance/cert.pem 2>/dev/null
	MAIL_CATCH=1 PUBLIC_URL=$${PUBLIC_URL:-https://$$(hostname -I | cut -d' ' -f1):5443} \
		$(BIN)/flask run --host 0.0.0.0 --port 5443 --cert instance/cert.pem --key instance/key.pem

test: $(DEV_DEPS) translations
	bash scripts/vendor-js.sh dev
	bash scripts/system-deps.sh
	bash scripts/redis-up.sh
	$(BIN)/pytest -n 2 --dist loadgroup -q $(PYTEST_ARGS)

# Every script in bench/, on SQLite and PostgreSQL (scripts/postgres-up.sh), into bench/RESULTS.md.
bench: $(DEV_DEPS) translations
	bash scripts/system-deps.sh
	bash scripts/postgres-up.sh
	bash scripts/redis-up.sh
	$(BIN)/python bench/run_all.py

lint: $(DEV_DEPS)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(DEV_DEPS)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

# Re-extract messages after changing user-facing text, then translate the .po files.
extract: $(RUN_DEPS)
	$(BIN)/pybabel extract -F babel.cfg -k _l -o messages.pot . >/dev/null
	$(BIN)/pybabel update -i messages.pot -d app/translations --no-fuzzy-matching
	rm messages.pot

clean:
	rm -rf $(VENV) instance .pytest_cache
