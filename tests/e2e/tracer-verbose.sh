#!/usr/bin/env bash
# The tracer with -v: XG_VERBOSE_TRACER -v ARGS. Stands in for the tracer in
# lifecycle.sh (exec: same pid, same signals).
exec "${XG_VERBOSE_TRACER:?}" -v "$@"
