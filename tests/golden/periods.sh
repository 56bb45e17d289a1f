# period windows that touch 2026, 2027 and 2030 (Tết 2030 is 2 February in Vietnam)
. ./setup.inc
for y in 2026 2027 2030; do "$LOAXA" periods -c "$cfg" $y; done
