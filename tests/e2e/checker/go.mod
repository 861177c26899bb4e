module xgotop-tui/tests/e2e/checker

go 1.19
