# dates before 1900-01-01 are outside the supported range (exit 2)
"$LOAXA" lunar 1899-12-31 1900-01-05
