module xgotop-tui/tests/targets

go 1.19
