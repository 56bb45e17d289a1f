# the first and last supported days; 1900-01-01 is still in the lunar year 1899
"$LOAXA" lunar 1900-01-01 1900-01-02 && "$LOAXA" lunar 2199-12-30 2199-12-31
