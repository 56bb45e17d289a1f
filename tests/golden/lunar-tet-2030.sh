# Tết 2030 is 2 February in Vietnam (UTC+7), 3 February in China (UTC+8)
"$LOAXA" lunar 2030-01-31 2030-02-04
