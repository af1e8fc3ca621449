#!/usr/bin/env bash
# Runs the end-to-end reliability suite and adds up the figures its tests print (lines starting with
# `[reliability-figures]`), for the README's reliability section:
#   requests_under_faults, concurrent_spenders, crashes_survived, inputs_tried, upstream_replies_tried.
# Usage: Tests/SwitchyardReliabilityTests/figures.sh [extra swift test arguments]
set -uo pipefail
cd "$(dirname "$0")/../.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift test --filter SwitchyardReliabilityTests "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
echo
echo "reliability figures (summed over the tests that printed them):"
grep -o '\[reliability-figures\].*' "$log" | awk '
    { for (i = 3; i <= NF; i++) { split($i, kv, "="); sum[kv[1]] += kv[2] } }
    END { for (key in sum) printf "  %-24s %d\n", key, sum[key] }' | sort
exit "$status"
