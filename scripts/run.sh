#!/usr/bin/env bash
# Runs the action server and the Rasa server (HTTP API on, token-protected) until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
rasa_port=${1:-5005}
action_port=${2:-5055}
review_port=${3:-5006}
page_port=${4:-8000}
logs=${LOG_DIR:-logs}  # where the servers write their logs
mkdir -p "$logs"

# The HTTP API needs a token: take RASA_TOKEN, or make one once and keep it out of git.
if [[ -z "${RASA_TOKEN:-}" ]]; then
  [[ -s .rasa_token ]] || .venv/bin/python -c "import secrets; print(secrets.token_urlsafe(24))" > .rasa_token
  RASA_TOKEN=$(cat .rasa_token)
fi

# The widget's session ids are signed: take WIDGET_SESSION_SECRET, or make one once and keep it, so
# that conversations resume across restarts.
if [[ -z "${WIDGET_SESSION_SECRET:-}" ]]; then
  [[ -s .widget_session_secret ]] || .venv/bin/python -c "import secrets; print(secrets.token_urlsafe(32))" > .widget_session_secret
  WIDGET_SESSION_SECRET=$(cat .widget_session_secret)
  export WIDGET_SESSION_SECRET
fi

# A busy Rasa server can take longer than Sanic's 5 s keep-alive between connecting to the action
# server and sending the request; the action server would drop the connection and the reply be lost.
SANIC_KEEP_ALIVE_TIMEOUT=${SANIC_KEEP_ALIVE_TIMEOUT:-75} \
  .venv/bin/rasa run actions --actions actions --port "$action_port" > "$logs/actions.log" 2>&1 &
action_pid=$!
# The demo page's country (for its crisis lines): COUNTRY=GB, or else the visitor's browser region.
country_option=()
if [[ -n "${COUNTRY:-}" ]]; then
  country_option=(--country "$COUNTRY")
  country_said="$COUNTRY (set by COUNTRY)"
else
  country_said="the visitor's browser language region (en-GB: the UK); set COUNTRY=GB to fix it"
fi
.venv/bin/python webchat/serve.py --port "$page_port" --rasa-url "http://localhost:$rasa_port" "${country_option[@]}" \
  2>> "$logs/webchat.log" &
web_pid=$!
.venv/bin/python -m review --port "$review_port" > "$logs/review.log" 2>&1 &
review_pid=$!
.venv/bin/rasa run --model models/current.tar.gz --enable-api --auth-token "$RASA_TOKEN" \
  --port "$rasa_port" --cors "http://localhost:$rasa_port" --endpoints endpoints.yml \
  --credentials credentials.yml > "$logs/rasa.log" 2>&1 &
rasa_pid=$!
trap 'kill $action_pid $web_pid $review_pid $rasa_pid 2>/dev/null' EXIT

alert_url=${CRISIS_ALERT_URL:-}
if [[ "${alert_url,,}" == off ]]; then
  echo "WARNING: crisis alerts are off (CRISIS_ALERT_URL=off): no one will be alerted when a"
  echo "         conversation shows a crisis. Staff see crisis conversations only in the review app."
fi
echo "Starting the assistant; the Rasa server loads its model in about half a minute (logs in $logs/)..."

# Ready means every server answers, not just started: until then the page would say "You're offline".
wait_until_answering() {
  local name=$1 url=$2 pid=$3 log=$4
  until curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "The $name stopped while starting: see $log" >&2
      exit 1
    fi
    sleep 0.5
  done
}
wait_until_answering "action server" "http://localhost:$action_port/health" $action_pid "$logs/actions.log"
wait_until_answering "demo page server" "http://localhost:$page_port/" $web_pid "$logs/webchat.log"
wait_until_answering "review app" "http://127.0.0.1:$review_port/login" $review_pid "$logs/review.log"
wait_until_answering "Rasa server" "http://localhost:$rasa_port/status?token=$RASA_TOKEN" $rasa_pid "$logs/rasa.log"

cat <<INFO
Ready: every server answers.
  Chat widget demo page: http://localhost:$page_port/   (crisis lines of: $country_said)
  Rasa server: http://localhost:$rasa_port/   Action server: http://localhost:$action_port/
  Staff review app: http://127.0.0.1:$review_port/  (first make an account: make staff NAME=you)
  Talk to it over REST:
    curl -s localhost:$rasa_port/webhooks/rest/webhook -d '{"sender": "me", "message": "what is trd?"}'
  The server's status (HTTP API token RASA_TOKEN: $RASA_TOKEN):
    curl -s "localhost:$rasa_port/status?token=$RASA_TOKEN"
  Conversations are stored in: ${TRACKER_DB_DIALECT}:${TRACKER_DB}
Press Ctrl-C to stop.
INFO
wait $rasa_pid
