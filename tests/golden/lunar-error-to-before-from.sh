# TO before FROM (exit 2)
"$LOAXA" lunar 2026-03-01 2026-02-01
