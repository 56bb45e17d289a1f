# the export peak replaces the normal timetable across the year end
. ./setup.inc
"$LOAXA" plan -c "$cfg" 2026-12-30 2027-01-02 --tsv
