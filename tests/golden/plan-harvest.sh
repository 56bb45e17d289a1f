# harvest opens 09-01 (scale 1.5); 2026-09-02 is a silent exception day
. ./setup.inc
"$LOAXA" plan -c "$cfg" 2026-08-31 2026-09-03 --tsv
