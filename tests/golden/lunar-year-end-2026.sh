# the solar year ends inside lunar month 11 of 2026
"$LOAXA" lunar 2026-12-29 2027-01-03
