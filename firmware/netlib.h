/*
 * netlib: libcurl (fetch.c) and libmosquitto (fleet.c, fleetmsg.c) loaded
 * when the board first fetches or starts its fleet client, not at start
 * (base/dl.h): loaxad links neither. A board without a fleet: section
 * never maps them, nor the OpenSSL, nghttp2, libssh2, LDAP and Kerberos
 * libraries libcurl brings (about 30 libraries, their relocations and
 * constructors in every start and their pages in its memory).
 *
 * Included by those three files only, after <curl/curl.h> and
 * <mosquitto.h>: each library function they call is redirected to the
 * loaded table under its own name, so the code reads as the library's
 * documentation does. Call netlib_curl()/netlib_mosquitto() first.
 * loaxa-office calls libmosquitto directly (it links it): the same
 * library, dlopen() finds it loaded.
 */
#ifndef LOAXA_FIRMWARE_NETLIB_H
#define LOAXA_FIRMWARE_NETLIB_H

#include <stddef.h>

#ifdef CURLINC_CURL_H
#define NETLIB_CURL(X) X(global_init) X(global_cleanup) X(easy_init) X(easy_cleanup) X(easy_reset) \
	X(easy_setopt) X(easy_perform) X(easy_getinfo) X(easy_strerror)
struct netlib_curl {
#define X(n) __typeof__(curl_##n) *n;
	NETLIB_CURL(X)
#undef X
};
extern struct netlib_curl netlib_curl_fn;
/* curl.h's type-checking wrappers (GCC) call the function by name: the call goes through the table instead */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init	(netlib_curl_fn.global_init)
#define curl_global_cleanup	(netlib_curl_fn.global_cleanup)
#define curl_easy_init		(netlib_curl_fn.easy_init)
#define curl_easy_cleanup	(netlib_curl_fn.easy_cleanup)
#define curl_easy_reset		(netlib_curl_fn.easy_reset)
#define curl_easy_setopt	(netlib_curl_fn.easy_setopt)
#define curl_easy_perform	(netlib_curl_fn.easy_perform)
#define curl_easy_getinfo	(netlib_curl_fn.easy_getinfo)
#define curl_easy_strerror	(netlib_curl_fn.easy_strerror)
#endif

#ifdef LIBMOSQUITTO_MAJOR
#define NETLIB_MOSQUITTO(X) X(lib_init) X(lib_cleanup) X(new) X(destroy) X(strerror) X(connack_string) \
	X(publish) X(subscribe) X(loop_read) X(loop_write) X(loop_misc) X(socket) X(want_write) \
	X(int_option) X(will_set) X(username_pw_set) X(tls_set) X(tls_opts_set) X(tls_insecure_set) \
	X(publish_callback_set) X(message_callback_set) X(log_callback_set) X(connect_callback_set) \
	X(connect_async) X(disconnect)
struct netlib_mosquitto {
#define X(n) __typeof__(mosquitto_##n) *n;
	NETLIB_MOSQUITTO(X)
#undef X
};
extern struct netlib_mosquitto netlib_mosquitto_fn;
#define mosquitto_lib_init		(netlib_mosquitto_fn.lib_init)
#define mosquitto_lib_cleanup		(netlib_mosquitto_fn.lib_cleanup)
#define mosquitto_new			(netlib_mosquitto_fn.new)
#define mosquitto_destroy		(netlib_mosquitto_fn.destroy)
#define mosquitto_strerror		(netlib_mosquitto_fn.strerror)
#define mosquitto_connack_string	(netlib_mosquitto_fn.connack_string)
#define mosquitto_publish		(netlib_mosquitto_fn.publish)
#define mosquitto_subscribe		(netlib_mosquitto_fn.subscribe)
#define mosquitto_loop_read		(netlib_mosquitto_fn.loop_read)
#define mosquitto_loop_write		(netlib_mosquitto_fn.loop_write)
#define mosquitto_loop_misc		(netlib_mosquitto_fn.loop_misc)
#define mosquitto_socket		(netlib_mosquitto_fn.socket)
#define mosquitto_want_write		(netlib_mosquitto_fn.want_write)
#define mosquitto_int_option		(netlib_mosquitto_fn.int_option)
#define mosquitto_will_set		(netlib_mosquitto_fn.will_set)
#define mosquitto_username_pw_set	(netlib_mosquitto_fn.username_pw_set)
#define mosquitto_tls_set		(netlib_mosquitto_fn.tls_set)
#define mosquitto_tls_opts_set		(netlib_mosquitto_fn.tls_opts_set)
#define mosquitto_tls_insecure_set	(netlib_mosquitto_fn.tls_insecure_set)
#define mosquitto_publish_callback_set	(netlib_mosquitto_fn.publish_callback_set)
#define mosquitto_message_callback_set	(netlib_mosquitto_fn.message_callback_set)
#define mosquitto_log_callback_set	(netlib_mosquitto_fn.log_callback_set)
#define mosquitto_connect_callback_set	(netlib_mosquitto_fn.connect_callback_set)
#define mosquitto_connect_async		(netlib_mosquitto_fn.connect_async)
#define mosquitto_disconnect		(netlib_mosquitto_fn.disconnect)
#endif

/* 0 when the library is loaded; -1 and a message saying what to install */
int	netlib_curl(char *err, size_t errlen);
int	netlib_mosquitto(char *err, size_t errlen);

#endif
