module xgotop-tui/tests/overhead

go 1.19
