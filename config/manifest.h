/*
 * manifest: what binds a bulletin manifest to its time and its boards, after
 * TUF's signed metadata (a version, an expiry, the targets it is for).
 *
 * Top-level keys of manifest.cfg, beside `bulletins` and `signer`:
 *   sequence = 12;                 the issuer's counter, 1 .. 2^53, never reused
 *   expires  = "2026-12-31";       the last day a board takes it (inclusive)
 *   sites    = [ "cb-hoa-an" ];    the boards it is for, by site.id, or
 *   province = "Cao Bằng";         every board whose site.province is this
 * A signed manifest must carry sequence, expires and sites or province; an
 * unsigned one may, and what it carries is checked the same way.
 *
 * Replay: the board keeps, per issuer key, the highest sequence it took and
 * the SHA-256 of that manifest (state_dir/manifest-seq.json, written through
 * durable). A lower sequence is an old manifest replayed; the same sequence is
 * taken again only when it is the same manifest (a stick plugged twice).
 *
 * Pure except manifest_seq_*(), which read and replace that one file.
 * Messages for people are translated when made. Nothing prints or exits.
 */
#ifndef MANIFEST_H
#define MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "config/cfg.h"
#include "config/diag.h"

#define MANIFEST_SEQ_MAX	9007199254740991LL	/* 2^53 - 1: exact in every JSON reader */
#define MANIFEST_SEQ_FILE	"manifest-seq.json"

struct manifest_meta {
	long long	 sequence;	/* 0: absent */
	int32_t		 expires;	/* DATE_NONE: absent */
	char		**sites;	/* NULL-free list, nsites long */
	int		 nsites;
	char		*province;	/* NULL: absent */
	int		 has_sites;	/* `sites` was given (even empty) */
};

/*
 * The keys above from a manifest's text (name for messages). Problems go to
 * d as NAME:LINE: message. 0, or -1 when the text does not parse at all.
 */
int	manifest_meta_parse(const char *text, const char *name, struct manifest_meta *m, struct diag *d);
void	manifest_meta_free(struct manifest_meta *m);

/*
 * Is this manifest for this board, today? is_signed: it carried a good
 * signature (then sequence, expires and sites or province are required).
 * 0 yes; -1 no, why says so (translated, for the receipt).
 */
int	manifest_check_bound(const struct manifest_meta *m, int is_signed, const struct cfg *c, int32_t today,
	    char *why, size_t whylen);

/* the scope of a manifest: "province:NAME" or "sites:a,b" (sorted) */
void	manifest_scope(const struct manifest_meta *m, char *out, size_t len);

/*
 * Replay: 0 when sequence seq (of the manifest whose SHA-256 is sha_hex)
 * from issuer key may be taken; 1 when it is the very manifest taken last
 * (taken again, it may add what is missing but change nothing: a later
 * manifest of another scope may have); -1 (why) when it is older than, or
 * not the same as, what the board took from that issuer, or the state file
 * cannot be read.
 */
int	manifest_seq_check(const char *state_dir, const unsigned char key[CFG_KEY_LEN], const char *scope,
	    long long seq, const char *sha_hex, char *why, size_t whylen);
/* notes seq as the issuer's highest (durably); 0 or -1 (err) */
int	manifest_seq_note(const char *state_dir, const unsigned char key[CFG_KEY_LEN], const char *scope,
	    long long seq, const char *sha_hex, char *err, size_t errlen);

#endif
