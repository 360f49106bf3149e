#!/usr/bin/env bash
# The GitHub Action's verify step (action.yml): run provenance verify with GitHub
# annotations and a Markdown job summary, and set the step's outputs.
#
# Environment (set by the runner, and by action.yml from the inputs):
#   PROVENANCE            the provenance command to run (default: provenance on PATH)
#   PROVENANCE_PATHS      files and folders to check, separated by blanks or newlines
#   PROVENANCE_ARGS       more verify options, separated by blanks
#   GITHUB_STEP_SUMMARY   the job summary file (Markdown is appended)
#   GITHUB_OUTPUT         the step's output file (exit-code=N, passed=true|false)
#
# Inputs are split on blanks only: no glob is expanded, no quote or $ is interpreted, so a
# pull request's file names and a workflow's inputs are never run as shell code.
set -u -f

provenance=${PROVENANCE:-provenance}
read -r -d '' -a paths <<<"${PROVENANCE_PATHS:-.}" || true
read -r -d '' -a args <<<"${PROVENANCE_ARGS:-}" || true
if [ ${#paths[@]} -eq 0 ]; then
    paths=(.)
fi

summary=()
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    summary=(--markdown-summary "$GITHUB_STEP_SUMMARY")
fi

status=0
"$provenance" verify --format github "${summary[@]}" "${args[@]}" -- "${paths[@]}" || status=$?

if [ -n "${GITHUB_OUTPUT:-}" ]; then
    passed=false
    if [ "$status" -eq 0 ]; then
        passed=true
    fi
    printf 'exit-code=%s\npassed=%s\n' "$status" "$passed" >>"$GITHUB_OUTPUT"
fi
if [ "$status" -gt 1 ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    # Exit 2 or 3: provenance stopped before any report; say so where people look.
    printf '### provenance verify: error (exit %s)\n\nSee the step log for the message.\n' \
        "$status" >>"$GITHUB_STEP_SUMMARY"
fi
exit "$status"
