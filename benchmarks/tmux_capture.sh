#!/bin/sh
# Show mscli's listings and detail views as a person sees them, in a real terminal (tmux) of
# WIDTH columns: benchmarks/tmux_capture.sh 80 trials --limit 5
set -eu
width=$1; shift
session="mscli-capture-$$"
here=$(cd "$(dirname "$0")/.." && pwd)
tmux new-session -d -s "$session" -x "$width" -y 200 "$here/.venv/bin/mscli $* 2>&1; sleep 5"
sleep 1.5
tmux capture-pane -p -t "$session" -S 0 -E 199 | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
tmux kill-session -t "$session"
