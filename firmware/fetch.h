/*
 * fetch: a signed bulletin set from the fleet (fleetmsg.h's bulletins
 * envelope) downloaded and imported. Runs in a child of loaxad (fleet.c
 * forks it), never in the loop that airs: a download over 3G takes
 * minutes, an import decodes and measures every file. Blocking libcurl
 * (easy interface) is therefore the simple and right tool here; the curl
 * multi interface in loaxad's loop would still leave the import to block it.
 *
 *   1. the manifest's signature is checked against trust.keys BEFORE
 *      anything is fetched; over the network it is required whatever
 *      trust.require_signed_bulletins says (anyone who can publish on the
 *      broker could otherwise load audio)
 *   2. each listed file is fetched from base_url/FILE (http or https only,
 *      at most fleet.download_max_mb, redirects to http(s) only) into
 *      WORK/LOAXA/, hashed while written; a wrong SHA-256, an HTTP error or
 *      a file too large is refused with its own reason and deleted
 *   3. WORK is imported by ingest_run (intake/ingest.h) as a stick would
 *      be, with the reasons of step 2 for the files that are missing
 *   4. the `ingest` record goes to loaxad through the inbox (record-*.json)
 *
 * Result: a JSON object {"manifest": sha256, "outcome": "imported" |
 * "refused" | "failed", "loaded": N, "refused": [{"file","reason"}],
 * "error": "...", "retry": true} for the status; "retry" when some file
 * failed for a reason that may pass (network, HTTP error, disk): the set
 * is worth fetching again later (what came is not loaded twice). No printing (messages in the result);
 * writes only under WORK, the library and the inbox.
 */
#ifndef FETCH_H
#define FETCH_H

#include <jansson.h>
#include <stddef.h>

struct cfg;

/* returns the result object (never NULL) */
json_t	*fetch_bulletins(const struct cfg *, const char *envelope, size_t len, const char *work);

#endif
