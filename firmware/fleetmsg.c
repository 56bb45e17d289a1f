/*
 * fleetmsg: see fleetmsg.h. Topic strings, envelopes and the TLS set-up;
 * no I/O beyond reading the password file.
 */
#include <errno.h>
#include <jansson.h>
#include <mosquitto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/translate.h"
#include "config/sign.h"
#include "firmware/fleetmsg.h"
#include "firmware/netlib.h"

int
fmsg_topic(char *buf, size_t len, const char *province, const char *site, const char *leaf)
{
	int n;

	if (site)
		n = snprintf(buf, len, "loaxa/%s/site/%s/%s", province, site, leaf);
	else
		n = snprintf(buf, len, "loaxa/%s/%s", province, leaf);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
fmsg_parse_topic(const char *topic, const char *province, char **site, const char **leaf)
{
	size_t pl = strlen(province);
	const char *p, *slash;

	*site = NULL;
	if (strncmp(topic, "loaxa/", 6) != 0 || strncmp(topic + 6, province, pl) != 0 || topic[6 + pl] != '/')
		return -1;
	p = topic + 6 + pl + 1;
	if (strncmp(p, "site/", 5) != 0) {
		if (strchr(p, '/') != NULL || *p == '\0')
			return -1;
		*leaf = p;
		return 0;
	}
	p += 5;
	if ((slash = strchr(p, '/')) == NULL || slash == p || strchr(slash + 1, '/') != NULL || slash[1] == '\0')
		return -1;
	if ((*site = strndup(p, (size_t)(slash - p))) == NULL)
		return -1;
	*leaf = slash + 1;
	return 0;
}

int
fmsg_broker(const char *url, char **host, int *port)
{
	const char *h, *colon;
	char *end;
	long p = 8883;

	if (strncmp(url, "mqtts://", 8) != 0)
		return -1;
	h = url + 8;
	if ((colon = strrchr(h, ':')) != NULL) {
		p = strtol(colon + 1, &end, 10);
		if (end == colon + 1 || *end != '\0' || p < 1 || p > 65535)
			return -1;
	} else
		colon = h + strlen(h);
	if (colon == h || (*host = strndup(h, (size_t)(colon - h))) == NULL)
		return -1;
	*port = (int)p;
	return 0;
}

/* "USER:PASSWORD\n": never a default, never on the command line */
static int
read_password(const char *path, char **user, char **pass, char *err, size_t errlen)
{
	char *data, *colon;
	size_t len;

	if (sign_read_file(path, &data, &len) < 0) {
		snprintf(err, errlen, _("cannot read the password file %s: %s"), path, strerror(errno));
		return -1;
	}
	data[strcspn(data, "\r\n")] = '\0';
	if ((colon = strchr(data, ':')) == NULL || colon == data || colon[1] == '\0') {
		snprintf(err, errlen, _("%s: write one line USER:PASSWORD"), path);
		free(data);
		return -1;
	}
	*colon = '\0';
	*user = strdup(data);
	*pass = strdup(colon + 1);
	explicit_bzero(data, len);
	free(data);
	return *user && *pass ? 0 : -1;
}

struct mosquitto *
fmsg_client(const char *client_id, int clean_session, const struct fmsg_tls *t, void *obj, char *err, size_t errlen)
{
	struct mosquitto *m;
	char *user = NULL, *pass = NULL;
	int rc;

	if (netlib_mosquitto(err, errlen) < 0)
		return NULL;
	mosquitto_lib_init();
	if ((m = mosquitto_new(client_id, clean_session, obj)) == NULL) {
		snprintf(err, errlen, "mosquitto_new: %s", strerror(errno));
		return NULL;
	}
	mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
	if ((rc = mosquitto_tls_set(m, t->ca, NULL, t->cert, t->key, NULL)) != MOSQ_ERR_SUCCESS) {
		snprintf(err, errlen, _("TLS set-up (ca %s, cert %s, key %s): %s"), t->ca ? t->ca : "-",
		    t->cert ? t->cert : "-", t->key ? t->key : "-", rc == MOSQ_ERR_ERRNO ? strerror(errno) :
		    mosquitto_strerror(rc));
		goto fail;
	}
	/* SSL_VERIFY_PEER, and the broker's name checked against its certificate */
	if ((rc = mosquitto_tls_opts_set(m, 1, "tlsv1.2", NULL)) != MOSQ_ERR_SUCCESS ||
	    (rc = mosquitto_tls_insecure_set(m, false)) != MOSQ_ERR_SUCCESS) {
		snprintf(err, errlen, "TLS: %s", mosquitto_strerror(rc));
		goto fail;
	}
	if (t->password_file) {
		if (read_password(t->password_file, &user, &pass, err, errlen) < 0)
			goto fail;
		rc = mosquitto_username_pw_set(m, user, pass);
		explicit_bzero(pass, strlen(pass));
		free(user);
		free(pass);
		if (rc != MOSQ_ERR_SUCCESS) {
			snprintf(err, errlen, "%s", mosquitto_strerror(rc));
			goto fail;
		}
	}
	return m;
fail:
	mosquitto_destroy(m);
	return NULL;
}

char *
fmsg_config_envelope(const char *name, long long serial, const char *text, size_t len, const char *sig)
{
	json_t *o = json_object();
	char *s;

	json_object_set_new(o, "kind", json_string("config"));
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "serial", json_integer(serial));
	json_object_set_new(o, "text", json_stringn(text, len));
	if (sig)
		json_object_set_new(o, "sig", json_string(sig));
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

char *
fmsg_bulletins_envelope(const char *manifest, size_t len, const char *sig, const char *base_url)
{
	json_t *o = json_object();
	char *s;

	json_object_set_new(o, "kind", json_string("bulletins"));
	json_object_set_new(o, "manifest", json_stringn(manifest, len));
	if (sig)
		json_object_set_new(o, "sig", json_string(sig));
	json_object_set_new(o, "base_url", json_string(base_url));
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

char *
fmsg_live_envelope(const char *text, size_t len, const char *sig)
{
	json_t *o = json_object();
	char *s;

	json_object_set_new(o, "kind", json_string("live"));
	json_object_set_new(o, "text", json_stringn(text, len));
	if (sig)
		json_object_set_new(o, "sig", json_string(sig));
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}
