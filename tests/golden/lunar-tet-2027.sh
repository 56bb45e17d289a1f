# the lunar year 2026 ends after a 29-day month 12; Tết 2027 is 6 February
"$LOAXA" lunar 2027-02-04 2027-02-08
