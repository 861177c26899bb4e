module xgotop-tui/tests/record/churn

go 1.19
