# usage errors name the argument
. ./setup.inc
"$LOAXA" plan -c "$cfg" 2027-02-30; echo "exit $?"
"$LOAXA" plan -c "$cfg" 2027-02-10 2027-02-01; echo "exit $?"
"$LOAXA" plan -c "$cfg"; echo "exit $?"
"$LOAXA" periods -c "$cfg" 20x7
