# no date: a usage error (exit 2)
"$LOAXA" lunar 
