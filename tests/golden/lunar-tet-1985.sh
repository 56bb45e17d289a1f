# Tết 1985 is 21 January in Vietnam, a month before China's (20 February)
"$LOAXA" lunar 1985-01-19 1985-01-23
