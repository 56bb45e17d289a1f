# Tết 2007 is 17 February in Vietnam, 18 February in China
"$LOAXA" lunar 2007-02-15 2007-02-19
