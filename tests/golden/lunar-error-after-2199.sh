# dates after 2199-12-31 are outside the supported range (exit 2)
"$LOAXA" lunar 2199-12-31 2200-01-01
