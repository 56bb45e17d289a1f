#include "firmware/cmd.h"
int cmd_collect(int argc, char **argv) { (void)argc; (void)argv; return 2; }
int cmd_fleet(int argc, char **argv) { (void)argc; (void)argv; return 2; }
