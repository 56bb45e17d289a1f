# a third argument is refused (exit 2)
"$LOAXA" lunar 2026-01-01 2026-01-02 2026-01-03
