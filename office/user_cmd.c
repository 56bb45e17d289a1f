/*
 * user_cmd: `loaxa-office user add --db URL NAME --role ROLE [--commune ID]...`,
 * a console account (office/users.h). The password is read from standard
 * input (one line), never from the command line, where `ps` shows it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "base/translate.h"
#include "firmware/cli/cli.h"
#include "office/office.h"
#include "office/store.h"
#include "office/users.h"

#define U_USER "user add --db postgresql://...|sqlite:PATH NAME --role admin|editor|operator|auditor [--commune ID]... " \
	"(the password on standard input)"
#define MAX_COMMUNES 64

int
cmd_user(int argc, char **argv)
{
	const char *dburl = NULL, *name = NULL, *role = NULL, *communes[MAX_COMMUNES];
	int nc = 0;
	enum user_role r;
	char pw[512], err[512];
	struct store *db;
	size_t n;
	int rc;

	if (argc < 2 || strcmp(argv[1], "add") != 0)
		return cli_usage("user", U_USER, "%s", _("the only subcommand is add"));
	for (int i = 2; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (argv[i][0] != '-') {
			if (name)
				return cli_usage("user", U_USER, _("unexpected argument \"%s\""), argv[i]);
			name = argv[i];
			continue;
		}
		if (v == NULL)
			return cli_usage("user", U_USER, _("unexpected argument \"%s\""), argv[i]);
		if (strcmp(argv[i], "--db") == 0)
			dburl = v;
		else if (strcmp(argv[i], "--role") == 0)
			role = v;
		else if (strcmp(argv[i], "--commune") == 0 && nc < MAX_COMMUNES)
			communes[nc++] = v;
		else
			return cli_usage("user", U_USER, _("unexpected argument \"%s\""), argv[i]);
		i++;
	}
	if (dburl == NULL || name == NULL || role == NULL)
		return cli_usage("user", U_USER, "%s", _("--db, a name and --role are needed"));
	if (!users_name_ok(name))
		return cli_usage("user", U_USER, _("the name \"%s\" is not one the console takes (a-z, 0-9, . _ -, "
		    "at most 63, starting with a letter or digit)"), name);
	if (users_role(role, &r) < 0)
		return cli_usage("user", U_USER, _("--role \"%s\": admin, editor, operator or auditor"), role);
	if (r == ROLE_OPERATOR && nc == 0)
		return cli_usage("user", U_USER, "%s", _("an operator sees only their communes: give at least one --commune"));
	if (r != ROLE_OPERATOR && nc > 0)
		return cli_usage("user", U_USER, "%s", _("only an operator is bound to communes; the other roles see the "
		    "whole province"));
	if (fgets(pw, sizeof(pw), stdin) == NULL) {
		fprintf(stderr, "loaxa user: %s\n", _("no password on standard input (echo it in, or type it and press "
		    "Enter)"));
		return 2;
	}
	n = strcspn(pw, "\r\n");
	pw[n] = '\0';
	if ((db = store_open(dburl, err, sizeof(err))) == NULL || users_schema(db, err, sizeof(err)) < 0) {
		fprintf(stderr, "loaxa user: %s\n", err);
		store_close(db);
		sodium_memzero(pw, sizeof(pw));
		return 2;
	}
	rc = users_add(db, name, r, communes, nc, pw, (long long)time(NULL), err, sizeof(err));
	sodium_memzero(pw, sizeof(pw));
	if (rc == 0) {
		char what[256];
		snprintf(what, sizeof(what), "added the account %s as %s%s", name, role, nc ? " for" : "");
		for (int i = 0; i < nc; i++)
			snprintf(what + strlen(what), sizeof(what) - strlen(what), " %s", communes[i]);
		users_audit(db, (long long)time(NULL), "loaxa-office user add", what, "local");
	}
	store_close(db);
	if (rc < 0) {
		fprintf(stderr, "loaxa user: %s\n", err);
		return 1;
	}
	printf(_("account \"%s\" added (%s)\n"), name, role);
	return 0;
}
