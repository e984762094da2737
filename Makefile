# The two commands: `make run` and `make test`. Each sets up what it needs first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PYTHON310 := $(firstword $(wildcard $(shell pyenv root 2>/dev/null)/versions/3.10.*/bin/python3.10) $(shell command -v python3.10 2>/dev/null))
MODEL := models/current.tar.gz
LOGS := logs

# The settings and their defaults, in the one file every command reads; a variable already set wins.
SETTINGS := $(shell grep -E '^[A-Z][A-Z0-9_]*=' settings.env)
$(foreach setting,$(SETTINGS),$(eval export $(firstword $(subst =, ,$(setting))) ?= $(patsubst $(firstword $(subst =, ,$(setting)))=%,%,$(setting))))
# Messaging apps stay off until their variables are set: each one credentials.yml names defaults to empty.
MESSAGING_VARIABLES := $(shell grep -oE '\$$\{(TELEGRAM|SLACK|TWILIO|FACEBOOK)_[A-Z_]+\}' credentials.yml | tr -d '$${}')
$(foreach name,$(MESSAGING_VARIABLES),$(eval export $(name) ?=))
RASA_PORT ?= 5005
ACTION_PORT ?= 5055
REVIEW_PORT ?= 5006
PAGE_PORT ?= 8000
SHELL_PORT ?= 5015

# Built from content/ (not in git): the responses, and the topics' intents, slot and rules.
GENERATED := domain/responses.yml domain/topics.yml data/rules/topics.yml
TRAINING_INPUTS := config.yml domain/domain.yml $(GENERATED) $(shell find data components crisis -name '*.yml' -o -name '*.py')
CONTENT := $(shell find content -name '*.yml') content_library/load.py components/crisis_levels.py scripts/build_responses.py scripts/build_topic_lines.py

.PHONY: help setup responses train webchat test-tools run shell staff retention test lint format validate nlu-test story-test crisis-eval questions-eval pytest bench lock clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.lock
	@test -n "$(PYTHON310)" || { echo "Python 3.10 not found: install it with pyenv (pyenv install 3.10)."; exit 1; }
	$(PYTHON310) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==24.0
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

setup: $(VENV)/.installed ## Create the Python 3.10 virtual environment from requirements.lock

$(GENERATED) &: $(CONTENT) $(VENV)/.installed
	$(BIN)/python scripts/build_responses.py
	$(BIN)/python scripts/build_topic_lines.py

responses: $(GENERATED) ## Build the responses and the topics' intents, slot and rules from content/

$(MODEL): $(TRAINING_INPUTS) $(VENV)/.installed
	@mkdir -p $(LOGS) models
	@echo "Training the model (log: $(LOGS)/train.log)..."
	@$(BIN)/rasa train --config config.yml --domain domain --data data --out models \
		--fixed-model-name current > $(LOGS)/train.log 2>&1 || { tail -30 $(LOGS)/train.log; exit 1; }
	@touch $@

train: $(MODEL) ## Train the model when it is missing or older than its data

WEBCHAT_BUNDLE := webchat/dist/widget.js

$(WEBCHAT_BUNDLE): webchat/package.json webchat/package-lock.json $(wildcard webchat/src/*.js)
	@mkdir -p $(LOGS)
	@echo "Building the chat widget (log: $(LOGS)/webchat-build.log)..."
	@cd webchat && { npm ci --no-audit --no-fund && npm run build; } > ../$(LOGS)/webchat-build.log 2>&1 \
		|| { tail -20 ../$(LOGS)/webchat-build.log; exit 1; }

webchat: $(WEBCHAT_BUNDLE) ## Build the website chat widget (webchat/dist/widget.js) with npm

test-tools: ## Install Debian's chromium and nginx-light for the tests when they are missing
	@scripts/install_test_tools.sh

run: $(MODEL) $(WEBCHAT_BUNDLE) ## Run the assistant: widget demo page, Rasa server, action server and staff review app
	@scripts/run.sh $(RASA_PORT) $(ACTION_PORT) $(REVIEW_PORT) $(PAGE_PORT)

shell: $(MODEL) ## Chat with the assistant in this terminal (works while `make run` runs, and on its own)
	@scripts/shell.sh $(SHELL_PORT) $(ACTION_PORT)

staff: $(VENV)/.installed ## Create a staff account for the review app (make staff NAME=alex [ROLE=administrator]; asks for the password)
	@test -n "$(NAME)" || { echo "Whose account? make staff NAME=alex"; exit 1; }
	@$(BIN)/python -m review.staff add $(NAME) $(if $(ROLE),--role $(ROLE))

retention: $(VENV)/.installed ## Delete conversations older than RETENTION_DAYS (crisis ones wait until reviewed)
	@$(BIN)/python -m review.retention --days $(RETENTION_DAYS)

validate: $(GENERATED) ## Check the training data and domain (no warnings allowed)
	@mkdir -p $(LOGS)
	@$(BIN)/rasa data validate --config config.yml --domain domain --data data --fail-on-warnings \
		> $(LOGS)/validate.log 2>&1 || { grep -v "^\s*$$" $(LOGS)/validate.log | tail -30; exit 1; }
	@echo "Training data and domain are valid, with no warnings."

lint: $(VENV)/.installed ## Ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed ## Ruff format the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

nlu-test: $(MODEL) ## Score the held-out NLU test set (fails under macro F1 0.88 or any intent under 0.60)
	@mkdir -p $(LOGS) results
	@$(BIN)/rasa test nlu --nlu tests/nlu --model $(MODEL) --out results/nlu > $(LOGS)/nlu-test.log 2>&1 || { tail -30 $(LOGS)/nlu-test.log; exit 1; }
	@$(BIN)/python tests/nlu_report.py results/nlu/intent_report.json

story-test: $(MODEL) ## Run the end-to-end test stories
	@mkdir -p $(LOGS) results
	@$(BIN)/rasa test core --stories tests/test_stories.yml --model $(MODEL) --out results/stories \
		--fail-on-prediction-errors > $(LOGS)/story-test.log 2>&1 || { tail -40 $(LOGS)/story-test.log; cat results/stories/failed_test_stories.yml 2>/dev/null; exit 1; }
	@echo "All test stories passed."

crisis-eval: $(MODEL) ## Crisis detection on the crisis corpus's test part (gates the test command)
	@$(BIN)/python tests/crisis/evaluate.py --model $(MODEL)

questions-eval: $(MODEL) ## Real questions on the development set (floors: acceptable topic 0.83, uncovered told so 0.60)
	@$(BIN)/python tests/questions/evaluate.py --model $(MODEL)

pytest: $(MODEL) $(WEBCHAT_BUNDLE) test-tools ## The pytest suites (they start the real servers and a browser)
	@$(BIN)/python -m pytest tests --durations=25

test: validate lint nlu-test story-test crisis-eval questions-eval pytest ## Run the whole test suite

bench: $(MODEL) ## Benchmark against Rasa's default configuration (trains it once; writes results/bench/)
	@$(BIN)/python bench/load.py

lock: ## Rebuild requirements.lock from requirements.in in a fresh environment
	rm -rf /tmp/trd-lock && $(PYTHON310) -m venv /tmp/trd-lock
	/tmp/trd-lock/bin/pip install --quiet --upgrade pip==24.0
	/tmp/trd-lock/bin/pip install --quiet -r requirements.in
	/tmp/trd-lock/bin/pip freeze > requirements.lock

clean: ## Remove the trained models and test results
	rm -rf models results $(LOGS)
