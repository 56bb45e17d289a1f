/*
 * manifest: a manifest's binding to its time and boards, and the board's
 * memory of the highest sequence per issuer. See manifest.h for the keys
 * and the rules; the why is README's security section (TUF: signed metadata
 * carries a version and an expiry and names its targets).
 */
#include <errno.h>
#include <jansson.h>
#include <libconfig.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/date.h"
#include "base/durable.h"
#include "base/translate.h"
#include "config/cfgkey.h"
#include "config/manifest.h"
#include "config/sign.h"

int
manifest_meta_parse(const char *text, const char *name, struct manifest_meta *m, struct diag *d)
{
	struct cfgkey ld = { .file = name, .d = d };
	const config_setting_t *root, *s;
	config_t lc;
	const char *v;
	long long n;

	memset(m, 0, sizeof(*m));
	m->expires = DATE_NONE;
	if (cfgkey_read(&ld, &lc, text) < 0)
		return -1;
	root = config_root_setting(&lc);
	if (cfgkey_int(&ld, root, "sequence", 1, MANIFEST_SEQ_MAX, &n) > 0)
		m->sequence = n;
	if (cfgkey_str(&ld, root, "expires", &v) > 0 && date_parse(v, &m->expires) < 0) {
		cfgkey_err(&ld, config_setting_get_member(root, "expires"), "%s",
		    _("must be the last day the manifest is good for, as \"YYYY-MM-DD\""));
		m->expires = DATE_NONE;
	}
	if (cfgkey_str(&ld, root, "province", &v) > 0) {
		if (*v == '\0')
			cfgkey_err(&ld, config_setting_get_member(root, "province"), "%s",
			    _("must name the province (as site.province says it on the boards)"));
		else
			m->province = cfgkey_strdup(v);
	}
	if ((s = config_setting_get_member(root, "sites")) != NULL) {
		int len = config_setting_length(s);
		m->has_sites = 1;
		if (config_setting_type(s) != CONFIG_TYPE_ARRAY) {
			cfgkey_err(&ld, s, "%s", _("must be a list of site ids in [ ], e.g. [ \"cb-hoa-an\" ]"));
			len = 0;
		}
		m->sites = cfgkey_calloc((size_t)(len > 0 ? len : 1), sizeof(*m->sites));
		for (int i = 0; i < len; i++) {
			const char *id = config_setting_get_string_elem(s, i);
			if (id == NULL || !cfgkey_valid_id(id))
				cfgkey_err(&ld, s, _("element %d is not a site id (a-z, 0-9, - and _)"), i + 1);
			else
				m->sites[m->nsites++] = cfgkey_strdup(id);
		}
	}
	if (m->has_sites && m->province)
		cfgkey_err(&ld, config_setting_get_member(root, "province"), "%s",
		    _("give sites or province, not both"));
	config_destroy(&lc);
	return 0;
}

void
manifest_meta_free(struct manifest_meta *m)
{
	for (int i = 0; i < m->nsites; i++)
		free(m->sites[i]);
	free(m->sites);
	free(m->province);
	memset(m, 0, sizeof(*m));
}

int
manifest_check_bound(const struct manifest_meta *m, int is_signed, const struct cfg *c, int32_t today,
    char *why, size_t whylen)
{
	char d[11];
	int mine = 0;

	if (is_signed && (m->sequence == 0 || m->expires == DATE_NONE || (!m->has_sites && m->province == NULL))) {
		snprintf(why, whylen, "%s", _("manifest.cfg is signed but does not say its sequence, expiry and the "
		    "sites or province it is for (sequence, expires, sites or province): a manifest without them could "
		    "be replayed anywhere; nothing from it was loaded: ask the provincial office for a new one"));
		return -1;
	}
	if (m->expires != DATE_NONE && today > m->expires) {
		date_format(m->expires, d);
		snprintf(why, whylen, _("manifest.cfg expired on %s: nothing from it was loaded (an old stick? ask the "
		    "provincial office for the current one)"), d);
		return -1;
	}
	if (m->has_sites) {
		for (int i = 0; i < m->nsites; i++)
			if (c->site.id && strcmp(m->sites[i], c->site.id) == 0)
				mine = 1;
		if (!mine) {
			snprintf(why, whylen, _("manifest.cfg is for other sites (%s%s), not this board (%s): nothing "
			    "from it was loaded"), m->nsites > 0 ? m->sites[0] : "", m->nsites > 1 ? ", …" : "",
			    c->site.id ? c->site.id : "");
			return -1;
		}
	}
	if (m->province && (c->site.province == NULL || strcmp(m->province, c->site.province) != 0)) {
		snprintf(why, whylen, _("manifest.cfg is for the province \"%s\", and this board is in \"%s\" "
		    "(site.province): nothing from it was loaded"), m->province,
		    c->site.province ? c->site.province : "");
		return -1;
	}
	return 0;
}

/* --- the sequences taken, per issuer ------------------------------------- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
manifest_scope(const struct manifest_meta *m, char *out, size_t len)
{
	char **v;
	size_t o;

	if (m->province || !m->has_sites) {
		snprintf(out, len, "province:%s", m->province ? m->province : "");
		return;
	}
	v = calloc((size_t)m->nsites + 1, sizeof(*v));
	if (v == NULL) {
		snprintf(out, len, "sites:");
		return;
	}
	memcpy(v, m->sites, (size_t)m->nsites * sizeof(*v));
	qsort(v, (size_t)m->nsites, sizeof(*v), cmp_str);
	o = (size_t)snprintf(out, len, "sites:");
	for (int i = 0; i < m->nsites && o < len; i++)
		o += (size_t)snprintf(out + o, len - o, "%s%s", i ? "," : "", v[i]);
	free(v);
}

static void
seq_path(const char *state_dir, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", state_dir, MANIFEST_SEQ_FILE);
}

/* the file's object; an empty one when absent; NULL (err) when it cannot be read */
static json_t *
seq_load(const char *state_dir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	json_error_t je;
	json_t *o;

	seq_path(state_dir, path, sizeof(path));
	if ((o = json_load_file(path, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		if (access(path, F_OK) != 0 && errno == ENOENT)
			return json_object();
		snprintf(err, errlen, _("cannot read %s (%s): the manifest sequences this board took are unknown; "
		    "restore it from a backup, or remove it to take any sequence again"), path, je.text);
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		snprintf(err, errlen, _("%s is damaged: remove it to take any sequence again"), path);
		return NULL;
	}
	return o;
}

/* the file's entry name: the issuer's key, and the scope after a space */
static void
seq_name(const unsigned char key[CFG_KEY_LEN], const char *scope, char *out, size_t len)
{
	char pub[SIGN_PUB_TEXT];

	sign_format_pub(key, pub);
	snprintf(out, len, "%s %s", pub, scope);
}

int
manifest_seq_check(const char *state_dir, const unsigned char key[CFG_KEY_LEN], const char *scope, long long seq,
    const char *sha_hex, char *why, size_t whylen)
{
	char pub[SIGN_PUB_TEXT + 512];
	json_t *o = seq_load(state_dir, why, whylen), *e;
	long long have;
	const char *sha;
	int rc = 0;

	if (o == NULL)
		return -1;
	seq_name(key, scope, pub, sizeof(pub));
	e = json_object_get(o, pub);
	have = json_integer_value(json_object_get(e, "sequence"));
	sha = json_string_value(json_object_get(e, "sha256"));
	if (e != NULL && seq < have) {
		snprintf(why, whylen, _("manifest.cfg has sequence %lld, but this board already took sequence %lld from "
		    "the same signer: it is an old manifest played again (a copied stick?); nothing from it was loaded"),
		    seq, have);
		rc = -1;
	} else if (e != NULL && seq == have && (sha == NULL || strcmp(sha, sha_hex) != 0)) {
		snprintf(why, whylen, _("manifest.cfg has sequence %lld, which this board already took from the same "
		    "signer for a different manifest: nothing from it was loaded; ask the provincial office (each new "
		    "manifest needs a higher sequence)"), seq);
		rc = -1;
	} else if (e != NULL && seq == have) {
		rc = 1;		/* the same manifest again */
	}
	json_decref(o);
	return rc;
}

int
manifest_seq_note(const char *state_dir, const unsigned char key[CFG_KEY_LEN], const char *scope, long long seq,
    const char *sha_hex, char *err, size_t errlen)
{
	char pub[SIGN_PUB_TEXT + 512], path[PATH_MAX], *s;
	json_t *o = seq_load(state_dir, err, errlen);
	int rc;

	if (o == NULL)
		return -1;
	seq_name(key, scope, pub, sizeof(pub));
	json_object_set_new(o, pub, json_pack("{s:I, s:s}", "sequence", (json_int_t)seq, "sha256", sha_hex));
	s = json_dumps(o, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(o);
	seq_path(state_dir, path, sizeof(path));
	rc = s && (durable_mkdirs(state_dir, 0755) == 0) && durable_atomic(path, s, strlen(s), 0644) == 0 ? 0 : -1;
	if (rc < 0)
		snprintf(err, errlen, _("cannot write %s: %s"), path, strerror(errno));
	free(s);
	return rc;
}
