# a date must be YYYY-MM-DD
"$LOAXA" lunar 2026-2-17
