# the Tết window opens on lunar 12-15 (2027-01-22): the day before is normal
. ./setup.inc
"$LOAXA" plan -c "$cfg" 2027-01-21 2027-01-23 --tsv
