#!/usr/bin/env bash
# A chat with the assistant in this terminal (`make shell`). While `make run` runs, it uses that action
# server and a port of its own; on its own, it starts an action server for as long as it runs. Its
# settings are make's (settings.env), like every other command's.
set -euo pipefail
cd "$(dirname "$0")/.."
shell_port=${1:-5015}
action_port=${2:-5055}
logs=${LOG_DIR:-logs}
mkdir -p "$logs"

answers() { curl -fsS -o /dev/null --max-time 2 "http://localhost:$action_port/health" 2>/dev/null; }
if ! answers; then
  .venv/bin/rasa run actions --actions actions --port "$action_port" > "$logs/shell-actions.log" 2>&1 &
  action_pid=$!
  trap 'kill $action_pid 2>/dev/null' EXIT
  until answers; do
    kill -0 $action_pid 2>/dev/null || { echo "The action server stopped while starting: see $logs/shell-actions.log" >&2; exit 1; }
    sleep 0.5
  done
fi
echo "Loading the model (about half a minute). Type /stop to end."
# The shell needs no channel: credentials.yml would only name the messaging apps.
.venv/bin/rasa shell --model models/current.tar.gz --endpoints endpoints.yml --credentials /dev/null \
  --port "$shell_port" 2> "$logs/shell.log"
