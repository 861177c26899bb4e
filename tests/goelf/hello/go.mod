module example.com/xgotop/hello

go 1.19
