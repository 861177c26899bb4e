module xgotop-tui/bench

go 1.19
