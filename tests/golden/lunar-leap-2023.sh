# 2023 has a leap month 2 (LEAP 1): month 2 -> leap month 2 -> month 3
"$LOAXA" lunar 2023-03-19 2023-03-24 && "$LOAXA" lunar 2023-04-18 2023-04-21
