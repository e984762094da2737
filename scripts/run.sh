#!/usr/bin/env bash
# Runs the action server and the Rasa server (HTTP API on, token-protected) until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
rasa_port=${1:-5005}
action_port=${2:-5055}
review_port=${3:-5006}
mkdir -p logs

# The HTTP API needs a token: take RASA_TOKEN, or make one once and keep it out of git.
if [[ -z "${RASA_TOKEN:-}" ]]; then
  [[ -s .rasa_token ]] || .venv/bin/python -c "import secrets; print(secrets.token_urlsafe(24))" > .rasa_token
  RASA_TOKEN=$(cat .rasa_token)
fi

# A busy Rasa server can take longer than Sanic's 5 s keep-alive between connecting to the action
# server and sending the request; the action server would drop the connection and the reply be lost.
SANIC_KEEP_ALIVE_TIMEOUT=${SANIC_KEEP_ALIVE_TIMEOUT:-75} \
  .venv/bin/rasa run actions --actions actions --port "$action_port" > logs/actions.log 2>&1 &
action_pid=$!
.venv/bin/python webchat/serve.py --port 8000 --rasa-url "http://localhost:$rasa_port" 2>> logs/webchat.log &
web_pid=$!
.venv/bin/python -m review --port "$review_port" > logs/review.log 2>&1 &
review_pid=$!
trap 'kill $action_pid $web_pid $review_pid 2>/dev/null' EXIT

cat <<INFO
The assistant is starting (Rasa server log: logs/rasa.log, action server log: logs/actions.log).
  Chat widget demo page: http://localhost:8000/
  Staff review app: http://127.0.0.1:$review_port/  (first make an account: make staff NAME=you)
  Talk to it over REST:
    curl -s localhost:$rasa_port/webhooks/rest/webhook -d '{"sender": "me", "message": "what is trd?"}'
  Or in a terminal:  .venv/bin/rasa shell   (with the same environment as here)
  HTTP API token (RASA_TOKEN): $RASA_TOKEN
    curl -s "localhost:$rasa_port/status?token=\$RASA_TOKEN"
  Conversations are stored in: ${TRACKER_DB_DIALECT}:${TRACKER_DB}
Press Ctrl-C to stop.
INFO

.venv/bin/rasa run --model models/current.tar.gz --enable-api --auth-token "$RASA_TOKEN" \
  --port "$rasa_port" --cors "http://localhost:$rasa_port" --endpoints endpoints.yml \
  --credentials credentials.yml > logs/rasa.log 2>&1
