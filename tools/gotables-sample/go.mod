module xgotop-tui/tools/gotables-sample

go 1.19
