# lunar needs no config: -c is accepted (every command takes it) and not read
"$LOAXA" lunar -c /nonexistent/loaxa.cfg 2026-09-02
