/*
 * cmd: the loaxa subcommands. Each takes the arguments after its name
 * (argv[0] is the command name) and returns the process exit status.
 */
#ifndef CMD_H
#define CMD_H

int cmd_check(int argc, char **argv);
int cmd_lunar(int argc, char **argv);
int cmd_periods(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_library(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_play(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif
