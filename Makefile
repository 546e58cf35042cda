# Noi Day. `make run` serves the bundled MO.CA day; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi.py

.PHONY: run run-https test lint format bench translations extract clean

$(BIN)/activate: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(BIN)/activate

app/translations/%/LC_MESSAGES/messages.mo: app/translations/%/LC_MESSAGES/messages.po $(BIN)/activate
	$(BIN)/pybabel compile --use-fuzzy -d app/translations -l $* >/dev/null

translations: app/translations/it/LC_MESSAGES/messages.mo app/translations/en/LC_MESSAGES/messages.mo

run: $(BIN)/activate translations
	bash scripts/vendor-js.sh
	$(BIN)/flask db upgrade
	$(BIN)/flask event load --if-unchanged data/moca.yaml
	@echo "Noi Day on http://127.0.0.1:$(PORT)/  (caught e-mail: http://127.0.0.1:$(PORT)/dev/mail/)"
	MAIL_CATCH=1 PUBLIC_URL=http://127.0.0.1:$(PORT) $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# The demo over HTTPS with a self-signed certificate, reachable from the LAN (desk cameras).
run-https: $(BIN)/activate translations
	bash scripts/vendor-js.sh
	$(BIN)/flask db upgrade
	$(BIN)/flask event load --if-unchanged data/moca.yaml
	@test -f instance/cert.pem || openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=noiday-lan" \
		-keyout instance/key.pem -out instance/cert.pem 2>/dev/null
	MAIL_CATCH=1 PUBLIC_URL=$${PUBLIC_URL:-https://$$(hostname -I | cut -d' ' -f1):5443} \
		$(BIN)/flask run --host 0.0.0.0 --port 5443 --cert instance/cert.pem --key instance/key.pem

test: $(BIN)/activate translations
	bash scripts/vendor-js.sh
	bash scripts/system-deps.sh
	bash scripts/redis-up.sh
	$(BIN)/pytest -n 2 --dist loadgroup -q $(PYTEST_ARGS)

# Every script in bench/, on SQLite and PostgreSQL (scripts/postgres-up.sh), into bench/RESULTS.md.
bench: $(BIN)/activate translations
	bash scripts/system-deps.sh
	bash scripts/postgres-up.sh
	bash scripts/redis-up.sh
	$(BIN)/python bench/run_all.py

lint: $(BIN)/activate
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(BIN)/activate
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

# Re-extract messages after changing user-facing text, then translate the .po files.
extract: $(BIN)/activate
	$(BIN)/pybabel extract -F babel.cfg -k _l -o messages.pot . >/dev/null
	$(BIN)/pybabel update -i messages.pot -d app/translations --no-fuzzy-matching
	rm messages.pot

clean:
	rm -rf $(VENV) instance .pytest_cache
