#!/usr/bin/env bash
# Runs the README's "first five minutes" block verbatim, line by line, in the current folder (a fresh
# clone). Exit status 0 or 1 is what a line may give (1: the report found something); 2 or more
# (bad usage, a crash) fails. Where `sudo` is absent and we are root (CI), it runs the line as is.
set -uo pipefail
readme="$(dirname "$0")/../README.md"
block=$(sed -n '/<!-- first-five-minutes -->/,/<!-- \/first-five-minutes -->/p' "$readme" | sed '1,2d;$d' | sed '$d')
[[ -n "$block" ]] || { echo "first-five-minutes: no block in README.md" >&2; exit 1; }
if ! command -v sudo >/dev/null && [[ $(id -u) == 0 ]]; then sudo() { "$@"; }; export -f sudo; fi
while IFS= read -r line; do
  echo "\$ $line"
  bash -c "$line" </dev/null >/dev/null
  status=$?
  if ((status > 1)); then echo "first-five-minutes: exit $status from: $line" >&2; exit 1; fi
done <<< "$block"
echo "first-five-minutes: every line ran"
