/*
 * loaxad: the daemon. Placeholder main until the daemon issue lands: it
 * validates its configuration and exits, so packaging and tests can rely
 * on the binary existing. See loaxad(8).
 */
#include <stdio.h>

#include "config/cfg.h"
#include "firmware/cli.h"
#include "firmware/log.h"
#include "firmware/nls.h"

int
main(int argc, char **argv)
{
	const char *path;
	struct cfg *c;

	nls_init();
	log_init("loaxad", 0);
	path = cli_config_arg(&argc, argv);
	if ((c = cli_load(path)) == NULL)
		return 1;
	log_warnx("%s", "the scheduling loop is not built yet; configuration is valid");
	cfg_free(c);
	return 1;
}
