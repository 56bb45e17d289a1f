# at most 100 years (36525 days) at a time (exit 2)
"$LOAXA" lunar 1900-01-01 2100-01-01
