# --lang en, and a half year the log covers only part of: the plan is counted where the log is
. ./report.inc
"$LOAXA" report --airlog "$log" --half 2026H2 --lang en; echo "exit $?"
