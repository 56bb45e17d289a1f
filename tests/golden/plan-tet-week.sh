# Tết 2027 (6 February): doubled sessions, the noon session, the Tất niên exception day
. ./setup.inc
"$LOAXA" plan -c "$cfg" 2027-02-04 2027-02-07
