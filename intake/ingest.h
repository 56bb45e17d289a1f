/*
 * ingest: bulletins from a USB stick into the library (DESIGN.md
 * "Bulletins", the USB layout). The stick is hostile until proven otherwise.
 *
 * Layout: ROOT/LOAXA/ holds audio files (MP3, WAV or FLAC, found by
 * content, or a phone's recording: M4A/AAC, ADTS AAC, Ogg Opus/Vorbis, AMR,
 * WMA, WebM, converted to FLAC on intake by the decoding child,
 * audio/avchild.h; the bulletin's sha256 stays the file's as given),
 * optionally in sub-folders named after topics, an optional manifest.cfg
 * (+ manifest.cfg.sig), an optional loaxa.cfg (+ .sig, see intake/apply.h,
 * applied by the command before this runs), receipts written back by earlier
 * imports and an optional export/ folder; names starting with '.' (macOS
 * ._* files, .Trashes, .Spotlight-V100) and "System Volume Information" are
 * ignored.
 *
 * With a manifest, it alone says what to load: every entry is checked
 * (topic and sessions must exist in the config, sha256 must match), and a
 * file on the stick it does not list is REFUSED (named in the receipt, not
 * loaded): an extra file next to a signed manifest is what tampering looks
 * like. A manifest.cfg.sig must verify against trust.keys or the whole
 * manifest is refused; trust.require_signed_bulletins refuses an unsigned
 * manifest and loose files. An optional manifest key `signer =
 * "ed25519:..."` (covered by the signature) lets a failed check say "signed
 * by a key this board does not trust" instead of "changed after signing".
 *
 * Without a manifest every audio file becomes a `commune` bulletin of topic
 * `local` (or the topic its top sub-folder names, by id or by name), valid
 * 30 days from today; its id is the NFC file name folded to ASCII
 * ("Thông báo Tết.mp3" -> "thong-bao-tet"; a taken id gets "-2", "-3"...),
 * its title the NFC file name without the extension.
 *
 * Each file: opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
 * RESOLVE_NO_MAGICLINKS) below LOAXA/, O_NOFOLLOW, regular files only;
 * checked against the caps and the free space of the library's file system
 * (less a reserve for the airing log); copied into the library's tmp/ while
 * hashed (SHA-256); checked against the manifest's hash; a duplicate of
 * audio already in the library is not stored again; decoded in full and
 * measured in a child process with resource limits (ingest_measure; one
 * child per core, at most 4, while the next files are copied); then renamed
 * to audio/<sha256>.<ext> and its metadata written (lib_put), in file order.
 *
 * Nothing is written outside the library (and nothing at all on the stick:
 * the receipt is the command's business). Every write goes through durable; a
 * crash at any point leaves no half bulletin (at worst an unreferenced audio
 * file or a tmp file, which lib_gc() removes).
 *
 * No printing, no exiting. Messages for people are translated (gettext) when
 * made: call translate_lang() first. Not thread-safe (durable, fork).
 */
#ifndef INGEST_H
#define INGEST_H

#include <jansson.h>
#include <stdint.h>

#include "audio/measure.h"
#include "config/bulletin.h"
#include "config/cfg.h"
#include "config/diag.h"

#define INGEST_DIR		"LOAXA"
#define INGEST_MAX_FILE		(512LL << 20)	/* one file: 2 h of 128 kb/s MP3 is 115 MB */
#define INGEST_MAX_TOTAL	(2LL << 30)	/* one stick */
#define INGEST_MAX_FILES	500		/* entries looked at, folders included */
#define INGEST_MAX_DEPTH	3		/* LOAXA/a/b/c/file is too deep */
#define INGEST_RESERVE		(64LL << 20)	/* left free for the airing log */
#define INGEST_MANIFEST_MAX	(1 << 20)
#define INGEST_CHILD_CPU_S	120		/* decoding + measuring one file */
#define INGEST_CHILD_MEM	(256LL << 20)	/* address space the child may add */
#define INGEST_VALID_DAYS	30
#define INGEST_CONVERT_S	300		/* wall-clock bound of one conversion */

struct ingest_limits {
	long long	 max_file, max_total, reserve;
	int		 max_files, max_depth;
	int		 cpu_s;		/* RLIMIT_CPU of the measuring child */
	long long	 mem;		/* address space it may add to what it has */
};

enum ingest_status {
	INGEST_LOADED,		/* new bulletin */
	INGEST_UPDATED,		/* a bulletin of the same id replaced (manifest) */
	INGEST_DUPLICATE,	/* its audio is already in the library: not stored again */
	INGEST_REFUSED
};

struct ingest_item {
	char		*file;		/* relative to LOAXA/, NFC; "" for the whole stick */
	enum ingest_status status;
	struct bulletin	 b;		/* LOADED, UPDATED: as stored; DUPLICATE: b.id = the bulletin holding it */
	char		*reason;	/* REFUSED: what is wrong and what to do (translated) */
	char		 converted[48];	/* LOADED, UPDATED: "M4A (AAC)" when converted on intake; "" */
};

struct ingest_result {
	struct ingest_item *items;
	int		 n, cap;
	struct diag	 manifest;	/* manifest.cfg:LINE: messages */
	int		 has_manifest;
	int		 manifest_sig;		/* manifest.cfg.sig was there */
	int		 manifest_signed;	/* and verified */
	int		 loaded, updated, duplicates, refused;
	long long	 bytes;		/* copied from the stick */
};

/*
 * Where the LOAXA/ folder came from. A stick is read as it is; the fleet
 * (firmware/fetch.h) downloads a signed set into a folder of the same layout
 * and feeds it through the very same checks. A source may know why a file
 * the manifest lists is not there (a download that failed, a hash that did
 * not match): missing() says so in the receipt and the record instead of
 * "copy it onto the stick".
 */
struct ingest_source {
	const char	*name;		/* the airing log's `source`: "usb", "fleet" */
	const char	*(*missing)(void *arg, const char *file);	/* NULL: the stick's message */
	void		*arg;
};

struct ingest_opts {
	const struct cfg *c;
	const struct ingest_source *src;	/* NULL: a USB stick */
	int32_t		 today;		/* day number */
	long long	 now;		/* epoch seconds (stored as `imported`) */
	long		 now_off;	/* its UTC offset */
	struct ingest_limits lim;	/* zeros: the defaults above */
};

/*
 * Imports ROOT/LOAXA into c->paths.library. 0 when the stick could be looked
 * at (r says what was taken and refused, r->n may be 0), -1 when not at all
 * (no LOAXA folder, the library cannot be written): err says why, and r
 * holds whatever was recorded. Free r with ingest_result_free() either way.
 */
int	ingest_run(const char *root, const struct ingest_opts *, struct ingest_result *r, char *err, size_t errlen);
void	ingest_result_free(struct ingest_result *);
/* the airing log's `ingest` record fields for a result (source, manifest, loaded, refused, duplicates, bytes) */
json_t	*ingest_record_fields(const struct ingest_result *, const char *source);
void	ingest_limits_default(struct ingest_limits *);

/* ROOT/LOAXA/name read as ingest reads the stick (a plain file, no links, at
 * most max bytes, no NUL): 1 read (*data malloc'd), 0 absent, -1 refused (err) */
int	ingest_read_small(const char *root, const char *name, size_t max, char **data, size_t *len, char *err,
	    size_t errlen);
/*
 * The stick's one way to open a path: openat2() beneath dirfd with
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS and O_NOFOLLOW
 * | O_CLOEXEC | O_NOCTTY added to flags. A path that climbs out (".." past
 * dirfd, an absolute path) fails with EXDEV, one through a symbolic link in
 * any component with ELOOP. The fd, or -1 (errno). Exposed for its tests.
 */
int	ingest_open_beneath(int dirfd, const char *path, int flags);
/* 1 when ROOT/LOAXA/name is a plain folder (reached without links) */
int	ingest_has_dir(const char *root, const char *name);

/*
 * The measuring child's file system lock (Landlock, no rules: nothing may
 * be written, made, renamed or removed anywhere; reading stays). 1 applied,
 * 0 the kernel has no Landlock, -1 it failed (errno). Called in the child.
 */
int	ingest_sandbox(void);

/*
 * The manifest: text (NUL-terminated) named `name` in messages. Every entry
 * that parses and whose topic and sessions exist in c is returned (in file
 * order, *out malloc'd, free each with bul_free); every problem goes to d as
 * NAME:LINE: message, and an entry with one is left out. 0, or -1 when the
 * text is not a manifest at all.
 */
int	ingest_manifest_parse(const char *text, const char *name, const struct cfg *c, struct bulletin **out,
	    int *nout, struct diag *d);

/* s (UTF-8) in NFC, malloc'd; NULL when s is not valid UTF-8 */
char	*ingest_nfc(const char *s);
/* a bulletin id from a file name: NFC, Vietnamese folded to ASCII, lower case,
 * runs of anything else made one '-'; "bulletin" when nothing is left; 0 or -1 (not UTF-8) */
int	ingest_slug(const char *name, char *out, size_t outlen);

/*
 * Decodes and measures path in a child process (fork) with RLIMIT_AS (its
 * present size + lim->mem), RLIMIT_CPU, RLIMIT_FSIZE 0 and RLIMIT_NOFILE
 * set, every other descriptor closed; the result comes back over a pipe. A
 * file that crashes the decoder, or runs it out of memory or time, fails
 * with a message; the caller is never harmed. `shown` is the name messages
 * use instead of path. 0 or -1.
 */
int	ingest_measure(const char *path, const char *shown, const struct ingest_limits *, struct audio_measure *,
	    char *err, size_t errlen);

#endif
