module xgotop-tui/examples/workload

go 1.19
