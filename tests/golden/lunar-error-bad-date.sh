# 30 February does not exist: the argument is named (exit 2)
"$LOAXA" lunar 2026-02-30
