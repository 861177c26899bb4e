#!/usr/bin/env bash
# The tracer with reader and processor threads: XG_WORKERS_TRACER -rw 2 -pw 2 ARGS.
# Stands in for the tracer in lifecycle.sh (exec: same pid, same signals).
exec "${XG_WORKERS_TRACER:?}" -rw "${XG_RW:-2}" -pw "${XG_PW:-2}" "$@"
