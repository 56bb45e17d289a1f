/*
 * fleetmsg: what boards and the office say to each other over MQTT
 * (DESIGN.md "Fleet"), shared by loaxad (firmware/fleet.c), `loaxa collect`
 * and `loaxa publish`. Topics, the signed envelopes, and the one TLS client
 * set-up every side uses.
 *
 * Topics (P the province id of fleet.province, S a site id):
 *
 *   loaxa/P/config               office -> boards  retained  a signed config for every board of P
 *   loaxa/P/bulletins            office -> boards  retained  a signed bulletin set for every board
 *   loaxa/P/site/S/config        office -> board   retained  a signed config for S
 *   loaxa/P/site/S/bulletins     office -> board   retained  a signed bulletin set for S
 *   loaxa/P/site/S/records       board -> office   QoS 1     one airing-log line per message, as written
 *   loaxa/P/site/S/status        board -> office   QoS 1, retained (the will says "offline")
 *   loaxa/P/site/S/ack           office -> board   retained  {"seq":N,"head":H}: the collector stored 1..N
 *   loaxa/P/site/S/resend        office -> board   QoS 1     {"from":N}: the collector lacks N (a gap)
 *   loaxa/P/live                 office -> boards  QoS 1     a signed live command for every board of P (never retained)
 *   loaxa/P/site/S/live          office -> board   QoS 1     a signed live command for S (never retained)
 *   loaxa/P/site/S/live-ack      board -> office   QoS 1     what S did with a live command (below)
 *
 * Envelopes (JSON objects, one per message):
 *   config     {"kind":"config","name":"loaxa.cfg","serial":N,"text":TEXT,"sig":"ed25519:..."}
 *   bulletins  {"kind":"bulletins","manifest":TEXT,"sig":"ed25519:...","base_url":"https://..."}
 *   live       {"kind":"live","text":TEXT,"sig":"ed25519:..."}, TEXT a JSON object:
 *              {"command":"now","id":ID,"sequence":N,"url":"https://...","level":"emergency"|"priority",
 *               "by":SENDER,"issued":UNIX_S,"valid_seconds":S,"max_minutes":M,"gone_seconds":G,
 *               "sites":[...] | "province":P}
 *              {"command":"end","id":ID,"sequence":N,"by":SENDER,"issued":UNIX_S,"sites":[...] | "province":P}
 *              sequence: the issuer's counter (config/manifest.h's replay record, scope "live"): each
 *              command is taken once; the office uses the time in ms. Always signed.
 *   live-ack   {"site":S,"id":ID,"command":"now"|"end","outcome":"airing"|"refused"|"complete"|"failed"|
 *               "interrupted","from":"hh:mm:ss","to":"hh:mm:ss","reason":TEXT,"time":UNIX_S}
 *              airing (from: the board's local time it began), refused (reason: bad signature,
 *              replayed, unknown stream scheme, quiet hours, busy ...), then how it ended.
 * sig is the detached signature (config/sign.h) of the text's exact bytes,
 * as `loaxa sign` writes it beside a file on a stick: the same signed bundle
 * travels either way. base_url is not signed: the manifest's sha256 binds
 * every file, wherever it is fetched from.
 *
 * No printing, no exiting.
 */
#ifndef FLEETMSG_H
#define FLEETMSG_H

#include <stddef.h>

struct mosquitto;

#define FMSG_TOPIC_MAX	256
#define FMSG_MAX_PAYLOAD (4 << 20)	/* an envelope: a config or a manifest is at most 1 MiB, escaped */

/* "loaxa/P/site/S/LEAF", or "loaxa/P/LEAF" when site is NULL; 0 or -1 (too long) */
int	fmsg_topic(char *buf, size_t len, const char *province, const char *site, const char *leaf);
/* splits a topic: 0 and *site (malloc'd, NULL for a province topic) and *leaf (points into topic), or -1 */
int	fmsg_parse_topic(const char *topic, const char *province, char **site, const char **leaf);

/* TLS client options shared by the tools and the board */
struct fmsg_tls {
	const char	*ca, *cert, *key;	/* files */
	const char	*password_file;		/* "USER:PASSWORD" on one line, or NULL */
};

/*
 * A client with TLS set up (certificate verified against ca, the host name
 * checked), protocol 3.1.1, nothing connected yet. NULL with err on failure.
 */
struct mosquitto *fmsg_client(const char *client_id, int clean_session, const struct fmsg_tls *, void *obj,
	    char *err, size_t errlen);
/* "mqtts://host:port" -> host (malloc'd) and port; 0 or -1 */
int	fmsg_broker(const char *url, char **host, int *port);

/* envelopes: malloc'd JSON text, or NULL */
char	*fmsg_config_envelope(const char *name, long long serial, const char *text, size_t len, const char *sig);
char	*fmsg_bulletins_envelope(const char *manifest, size_t len, const char *sig, const char *base_url);
char	*fmsg_live_envelope(const char *text, size_t len, const char *sig);

#endif
