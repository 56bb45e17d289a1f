/*
 * netlib: see netlib.h.
 */
#include <curl/curl.h>
#include <mosquitto.h>
#include <stdio.h>

#include "base/dl.h"
#include "base/translate.h"
#include "firmware/netlib.h"

struct netlib_curl netlib_curl_fn;
struct netlib_mosquitto netlib_mosquitto_fn;

static const struct dl_sym curl_syms[] = {
#define X(n) { (void **)&netlib_curl_fn.n, "curl_" #n },
	NETLIB_CURL(X)
#undef X
};
static const struct dl_sym mosq_syms[] = {
#define X(n) { (void **)&netlib_mosquitto_fn.n, "mosquitto_" #n },
	NETLIB_MOSQUITTO(X)
#undef X
};
static struct dl_lib curl_dl = { "libcurl.so.4", curl_syms, sizeof(curl_syms) / sizeof(curl_syms[0]), 0, "" };
static struct dl_lib mosq_dl = { "libmosquitto.so.1", mosq_syms, sizeof(mosq_syms) / sizeof(mosq_syms[0]), 0, "" };

int
netlib_curl(char *err, size_t errlen)
{
	const char *why;

	if (dl_load(&curl_dl, &why) == 0)
		return 0;
	snprintf(err, errlen, _("bulletins cannot be fetched: libcurl is missing (%s); install the libcurl4 package"), why);
	return -1;
}

int
netlib_mosquitto(char *err, size_t errlen)
{
	const char *why;

	if (dl_load(&mosq_dl, &why) == 0)
		return 0;
	snprintf(err, errlen, _("the fleet cannot start: libmosquitto is missing (%s); install the libmosquitto1 "
	    "package"), why);
	return -1;
}
