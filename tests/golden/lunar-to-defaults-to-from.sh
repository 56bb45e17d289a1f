# without TO, one day
"$LOAXA" lunar 2026-02-17
