/*
 * ingest: names folded to ids, manifests reported in full, the measuring
 * child that a bad file cannot take the caller down with, and a pulled plug
 * at every write, fsync and rename of an import leaving no half bulletin.
 */
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/date.h"
#include "base/durable.h"
#include "intake/ingest.h"
#include "scheduler/library.h"
#include "tests/unit/audio_fx.h"
#include "tests/unit/tap.h"

static const char *cfg_text =
	"version = 1; serial = 1;\n"
	"site = { id = \"xa-mau\"; name = \"Xã Mẫu\"; };\n"
	"paths = { library = \"%s/lib\"; airlog = \"%s/airlog\"; inbox = \"%s/inbox\"; state = \"%s/state\"; "
	"run = \"%s/run\"; };\n"
	"sessions = ( { id = \"morning\"; days = \"daily\"; start = \"06:00\"; minutes = 15; } );\n";

static struct cfg *
make_cfg(const char *dir)
{
	char text[4096];
	struct diag d;
	struct cfg *c;

	snprintf(text, sizeof(text), cfg_text, dir, dir, dir, dir, dir);
	diag_init(&d);
	c = cfg_load_string(text, "t.cfg", dir, &d);
	diag_free(&d);
	return c;
}

static void
sh(const char *fmt, const char *a, const char *b)
{
	char cmd[16384];

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	if (system(cmd) != 0)
		fprintf(stderr, "failed: %s\n", cmd);
}

static void
test_slug_folds_vietnamese(void)
{
	char s[BUL_ID_MAX + 1];
	/* "Thông báo Tết" with its marks as separate code points, as macOS writes names */
	const char *nfd = "Tho\xcc\x82ng ba\xcc\x81o Te\xcc\x82\xcc\x81t";

	EXPECT_INT(ingest_slug("Thông báo Tết", s, sizeof(s)), 0);
	EXPECT_STR(s, "thong-bao-tet");
	EXPECT_INT(ingest_slug(nfd, s, sizeof(s)), 0);
	EXPECT_STR(s, "thong-bao-tet");
	EXPECT_INT(ingest_slug("Đường dây nóng — ĐỊA PHƯƠNG", s, sizeof(s)), 0);
	EXPECT_STR(s, "duong-day-nong-dia-phuong");
	EXPECT_INT(ingest_slug("  Bản tin (số 2)!! ", s, sizeof(s)), 0);
	EXPECT_STR(s, "ban-tin-so-2");
	EXPECT_INT(ingest_slug("!!!", s, sizeof(s)), 0);
	EXPECT_STR(s, "bulletin");
	EXPECT_INT(ingest_slug("bad \xff name", s, sizeof(s)), -1);
	EXPECT_INT(ingest_slug("Một bản tin có cái tên rất rất dài, dài hơn mọi mã bản tin có thể chứa được", s,
	    sizeof(s)), 0);
	EXPECT(strlen(s) <= BUL_ID_MAX - 4 && bul_valid_id(s));
}

static void
test_nfc_of_a_mac_name(void)
{
	char *a = ingest_nfc("Tho\xcc\x82ng ba\xcc\x81o.mp3"), *b = ingest_nfc("Thông báo.mp3");

	EXPECT(a && b && strcmp(a, b) == 0);
	EXPECT_STR(a, "Thông báo.mp3");
	EXPECT(ingest_nfc("\xc3\x28") == NULL);
	free(a);
	free(b);
}

#define SHA "sha256 = \"9f2c1e0b7a6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b\"; "

static void
test_manifest_reports_every_error_with_its_line(void)
{
	struct cfg *c = make_cfg("/nonexistent");
	struct bulletin *v;
	struct diag d;
	int n;
	const char *text =
	    "bulletins = (\n"
	    "  { file = \"a.mp3\"; " SHA "id = \"a\"; title = \"A\"; topic = \"law\"; valid_from = \"2026-01-01\"; "
	    "valid_to = \"2026-02-01\"; },\n"
	    "  { file = \"../b.mp3\"; " SHA "id = \"b\"; title = \"B\"; topic = \"law\"; valid_from = \"2026-01-01\"; "
	    "valid_to = \"2026-02-01\"; },\n"
	    "  { file = \"/etc/c.mp3\"; " SHA "id = \"c\"; title = \"C\"; topic = \"law\"; valid_from = \"2026-01-01\"; "
	    "valid_to = \"2026-02-01\"; },\n"
	    "  { file = \"d.mp3\"; " SHA "id = \"d\"; title = \"D\"; topic = \"sport\"; valid_from = \"2026-01-01\"; "
	    "valid_to = \"2026-02-01\"; },\n"
	    "  { file = \"e.mp3\"; " SHA "id = \"e\"; title = \"E\"; topic = \"law\"; valid_from = \"2026-01-01\"; "
	    "valid_to = \"2026-02-01\"; sessions = [ \"noon\" ]; },\n"
	    "  { file = \"f.mp3\"; " SHA "id = \"a\"; title = \"F\"; topic = \"law\"; valid_from = \"2026-01-01\"; "
	    "valid_to = \"2026-02-01\"; },\n"
	    "  { file = \"g.mp3\"; id = \"g\"; title = \"G\"; topic = \"law\"; valid_from = \"2026-01-01\"; "
	    "valid_to = \"2026-02-01\"; }\n"
	    ");\n";

	diag_init(&d);
	EXPECT_INT(ingest_manifest_parse(text, "LOAXA/manifest.cfg", c, &v, &n, &d), 0);
	EXPECT_INT(n, 1);
	EXPECT_INT(d.n, 6);
	if (d.n == 6) {
		EXPECT(strstr(d.msg[0], "LOAXA/manifest.cfg:3: ") && strstr(d.msg[0], "leaves the folder"));
		EXPECT(strstr(d.msg[1], "LOAXA/manifest.cfg:4: ") && strstr(d.msg[1], "absolute name"));
		EXPECT(strstr(d.msg[2], ":5: ") && strstr(d.msg[2], "\"sport\" is not a topic of this board"));
		EXPECT(strstr(d.msg[3], ":6: ") && strstr(d.msg[3], "\"noon\" is not a session"));
		EXPECT(strstr(d.msg[4], ":7: ") && strstr(d.msg[4], "used twice (first on line 2)"));
		EXPECT(strstr(d.msg[5], ":8: ") && strstr(d.msg[5], "sha256") && strstr(d.msg[5], "pins its audio"));
	}
	for (int i = 0; i < n; i++)
		bul_free(&v[i]);
	free(v);
	diag_free(&d);
	diag_init(&d);
	EXPECT_INT(ingest_manifest_parse("@include \"/dev/zero\"\n", "m.cfg", c, &v, &n, &d), -1);
	EXPECT(d.n == 1 && strstr(d.msg[0], "m.cfg:1: @include is not allowed"));
	diag_free(&d);
	cfg_free(c);
}

static void
test_measure_in_child_matches_in_process(void)
{
	struct audio_measure a, b;
	char err[512];

	EXPECT_INT(audio_measure(fx("cbr64-22k-mono.mp3"), &a, err, sizeof(err)), 0);
	EXPECT_INT(ingest_measure(fx("cbr64-22k-mono.mp3"), "x.mp3", NULL, &b, err, sizeof(err)), 0);
	EXPECT_INT(a.duration_ms, b.duration_ms);
	EXPECT(a.loudness_lufs == b.loudness_lufs && a.true_peak_db == b.true_peak_db);
	EXPECT_INT(ingest_measure(fx("truncated.mp3"), "bản tin.mp3", NULL, &b, err, sizeof(err)), -1);
	EXPECT(strncmp(err, "bản tin.mp3: the MP3 ends early", 31) == 0);
}

static void
test_a_decoder_out_of_memory_fails_the_file_not_the_caller(void)
{
	struct ingest_limits l;
	struct audio_measure m;
	char err[512];

	ingest_limits_default(&l);
	l.mem = 64 * 1024;	/* the decoder cannot even start */
	EXPECT_INT(ingest_measure(fx("cbr128-44k-stereo.mp3"), "big.mp3", &l, &m, err, sizeof(err)), -1);
	EXPECT(strncmp(err, "big.mp3: ", 9) == 0);
	ingest_limits_default(&l);
	l.cpu_s = 1;		/* the endless file is refused long before, by its own header */
	EXPECT_INT(ingest_measure(fx("endless.mp3"), "endless.mp3", &l, &m, err, sizeof(err)), -1);
	EXPECT(strstr(err, "minutes long") != NULL);
}

static int
count_dir(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (dp == NULL)
		return 0;
	while ((de = readdir(dp)) != NULL)
		n += de->d_name[0] != '.';
	closedir(dp);
	return n;
}

/* a pulled plug at the Nth durable call of an import, for every N until one completes */
static void
test_crash_at_every_write_leaves_no_half_bulletin(void)
{
	const char *dir = scratch("ingest-crash");
	char lib[8192], audio[8192], tmp[8192];
	struct cfg *c;
	int n, completed = 0;

	sh("rm -rf '%s' && mkdir -p '%s/stick/LOAXA/law'", dir, dir);
	sh("cp '%s' '%s/stick/LOAXA/Thông báo.mp3'", fx("cbr64-22k-mono.mp3"), dir);
	sh("cp '%s' '%s/stick/LOAXA/law/luật.mp3'", fx("cbr24-8k-mono.mp3"), dir);
	c = make_cfg(dir);
	snprintf(lib, sizeof(lib), "%s/lib", dir);
	snprintf(audio, sizeof(audio), "%s/lib/audio", dir);
	snprintf(tmp, sizeof(tmp), "%s/lib/tmp", dir);
	for (n = 1; n < 200 && !completed; n++) {
		struct ingest_opts o = { .c = c, .today = date_from_civil(2026, 1, 15), .now = 1768440600, .now_off = 25200 };
		char root[8192], err[512];
		struct diag d;
		struct lib l;
		pid_t pid;
		int st = 0;

		sh("rm -rf '%s/lib'%s", dir, "");
		snprintf(root, sizeof(root), "%s/stick", dir);
		fflush(NULL);
		if ((pid = fork()) == 0) {
			struct ingest_result r;
			durable_fault_set(DURABLE_ANY, n, DURABLE_EXIT);
			_exit(ingest_run(root, &o, &r, err, sizeof(err)) == 0 && r.loaded == 2 ? 0 : 1);
		}
		waitpid(pid, &st, 0);
		if (!WIFEXITED(st) || (WEXITSTATUS(st) != DURABLE_EXIT_STATUS && WEXITSTATUS(st) != 0)) {
			tap_fail(__FILE__, __LINE__, "crash point %d: the import ended with status %d", n, st);
			break;
		}
		completed = WEXITSTATUS(st) == 0;
		diag_init(&d);
		EXPECT_INT(lib_load(&l, lib, &d), 0);
		if (d.n > 0)
			tap_fail(__FILE__, __LINE__, "crash point %d: %s", n, d.msg[0]);
		/* what is there is whole: each bulletin has its audio (lib_load checks) and the plan can use it */
		for (int i = 0; i < l.n; i++)
			EXPECT(l.b[i].duration_ms > 0 && l.b[i].sha256[0]);
		if (completed)
			EXPECT_INT(l.n, 2);
		lib_gc(&l);
		EXPECT_INT(count_dir(tmp), 0);
		EXPECT_INT(count_dir(audio), l.n);
		snprintf(root, sizeof(root), "%s/lib/bulletins", dir);
		EXPECT_INT(count_dir(root), l.n);
		lib_free(&l);
		diag_free(&d);
	}
	EXPECT(completed);
	EXPECT(n > 10);		/* it did step through the writes */
	cfg_free(c);
}

/*
 * The installed unit's SystemCallFilter used to deny @resources with EPERM:
 * the child's setrlimit failed and it decoded untrusted audio without its
 * limits. A seccomp filter that answers setrlimit and prlimit64 with EPERM,
 * as that unit did, must make the file fail, not decode it unbounded.
 */
static void
test_limits_that_cannot_be_set_fail_closed(void)
{
	pid_t pid = fork();
	int status = 0;

	if (pid == 0) {
		struct sock_filter f[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_prlimit64, 2, 0),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_setrlimit, 1, 0),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
		};
		struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
		struct audio_measure m;
		char err[512];
		int rc;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
			_exit(3);
		rc = ingest_measure(fx("cbr64-22k-mono.mp3"), "tin.mp3", NULL, &m, err, sizeof(err));
		if (rc == 0)
			_exit(1);	/* decoded without its limits */
		_exit(strstr(err, "tin.mp3: not decoded: the decoder's limits") && strstr(err, "setrlimit") ? 0 : 2);
	}
	EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid);
	EXPECT(WIFEXITED(status));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
		tap_fail(__FILE__, __LINE__, "the test's own seccomp filter could not be installed here");
	else
		EXPECT_INT(WEXITSTATUS(status), 0);
}

/* the decoder's child can read, and cannot rename, remove or create anything (the config stays out of reach) */
static void
test_the_decoder_sandbox_writes_nothing(void)
{
	char dir[] = "/tmp/loaxa-sandbox-XXXXXX", cfgp[64], lastp[64], newp[64];
	pid_t pid;
	int status = 0;
	FILE *fp;

	REQUIRE(mkdtemp(dir) != NULL);
	snprintf(cfgp, sizeof(cfgp), "%s/loaxa.cfg", dir);
	snprintf(lastp, sizeof(lastp), "%s/loaxa.cfg.last-good", dir);
	snprintf(newp, sizeof(newp), "%s/new.cfg", dir);
	if ((fp = fopen(cfgp, "w")) != NULL) {
		fputs("serial = 2;\n", fp);
		fclose(fp);
	}
	if ((fp = fopen(lastp, "w")) != NULL) {
		fputs("serial = 1;\n", fp);
		fclose(fp);
	}
	if ((pid = fork()) == 0) {
		char buf[32] = "";
		int fd, r = ingest_sandbox();
		if (r != 1)
			_exit(r == 0 ? 10 : 11);
		if ((fd = open(cfgp, O_RDONLY)) < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
			_exit(2);
		if (rename(lastp, cfgp) == 0 || unlink(cfgp) == 0 || open(newp, O_WRONLY | O_CREAT, 0644) >= 0 ||
		    open(cfgp, O_WRONLY) >= 0 || symlink(lastp, newp) == 0)
			_exit(3);
		_exit(0);
	}
	EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid);
	EXPECT(WIFEXITED(status));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 10)
		printf("# this kernel has no Landlock: the sandbox is not there to test\n");
	else
		EXPECT_INT(WEXITSTATUS(status), 0);
	unlink(cfgp);
	unlink(lastp);
	unlink(newp);
	rmdir(dir);
}

/*
 * The stick's path-opening layer on its own (the scan's other defences, a
 * readdir that skips links, do not hide it here): a path that climbs out of
 * the folder or passes through a symbolic link is refused by the kernel, as
 * it would be if the stick changed between the scan and the open.
 */
static void
test_open_beneath_refuses_links_and_escapes(void)
{
	char dir[] = "/tmp/loaxa-beneath-XXXXXX", root[PATH_MAX], path[PATH_MAX + 64];
	int rootfd, fd;
	struct {
		const char *path;
		int want_errno;
	} bad[] = {
		{ "link/secret", ELOOP },		/* a folder link leading out */
		{ "sublink/file.mp3", ELOOP },		/* a folder link staying inside: still a link */
		{ "sub/filelink", ELOOP },		/* the last component a link */
		{ "../outside/secret", EXDEV },		/* ".." past the root */
		{ "sub/../../outside/secret", EXDEV },
		{ NULL, EXDEV },			/* an absolute path (filled in below) */
	};
	char abs[PATH_MAX + 64];

	if (mkdtemp(dir) == NULL) {
		tap_fail(__FILE__, __LINE__, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(root, sizeof(root), "%s/root", dir);
	snprintf(path, sizeof(path), "cd %s && mkdir -p root/sub outside && echo secret > outside/secret && cd root && "
	    "echo mp3 > sub/file.mp3 && ln -s ../outside link && ln -s sub sublink && ln -s file.mp3 sub/filelink", dir);
	if (system(path) != 0) {
		tap_fail(__FILE__, __LINE__, "set-up failed: %s", path);
		goto out;
	}
	snprintf(abs, sizeof(abs), "%s/outside/secret", dir);
	bad[5].path = abs;
	if ((rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		tap_fail(__FILE__, __LINE__, "open %s: %s", root, strerror(errno));
		goto out;
	}
	/*
	 * Twice: with openat2, and in a child where openat2 answers ENOSYS, as
	 * it does under systemd's RestrictSUIDSGID=yes (both units), on kernels
	 * before 5.6 and under qemu-user before 9.1: the fallback must keep the
	 * same promise, with the same errors.
	 */
	for (int round = 0; round < 2; round++) {
		pid_t pid = 0;
		int status = 0;

		if (round == 1 && (pid = fork()) == 0) {
			struct sock_filter f[] = {
				BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
				BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_openat2, 1, 0),
				BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
				BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
			};
			struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

			if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
				_exit(3);
		}
		if (round == 1 && pid > 0) {
			EXPECT(waitpid(pid, &status, 0) == pid);
			if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
				tap_fail(__FILE__, __LINE__, "the test's own seccomp filter could not be installed here");
			else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				tap_fail(__FILE__, __LINE__, "without openat2 (ENOSYS) the fallback broke the promise (above)");
			continue;
		}
		int fails = 0;
		/* a plain file below the root opens: the layer is not refusing everything */
		fd = ingest_open_beneath(rootfd, "sub/file.mp3", O_RDONLY);
		if (fd < 0) {
			tap_fail(__FILE__, __LINE__, "%s: sub/file.mp3 not opened: %s", round ? "fallback" : "openat2",
			    strerror(errno));
			fails++;
		} else {
			close(fd);
		}
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			errno = 0;
			fd = ingest_open_beneath(rootfd, bad[i].path, O_RDONLY);
			if (fd >= 0) {
				tap_fail(__FILE__, __LINE__, "%s: %s was opened beneath the root", round ? "fallback" : "openat2",
				    bad[i].path);
				close(fd);
				fails++;
			} else if (errno != bad[i].want_errno) {
				tap_fail(__FILE__, __LINE__, "%s: %s: %s, expected %s", round ? "fallback" : "openat2",
				    bad[i].path, strerror(errno), strerror(bad[i].want_errno));
				fails++;
			}
		}
		if (round == 1)
			_exit(fails ? 1 : 0);
	}
	close(rootfd);
out:
	sh("rm -rf %s", dir, NULL);
}

int
main(void)
{
	tap_plan(9);
	tap_run("ingest: file names fold to ids (Vietnamese, NFD, đ, punctuation, too long)", test_slug_folds_vietnamese);
	tap_run("ingest: NFD names from a Mac become NFC", test_nfc_of_a_mac_name);
	tap_run("ingest: the stick's paths are opened beneath it: links and escapes refused (ELOOP, EXDEV), "
	    "with openat2 and without it (ENOSYS: systemd's RestrictSUIDSGID)",
	    test_open_beneath_refuses_links_and_escapes);
	tap_run("ingest: a manifest's errors are all reported with FILE:LINE", test_manifest_reports_every_error_with_its_line);
	tap_run("ingest: the measuring child agrees with audio_measure and names the stick's file",
	    test_measure_in_child_matches_in_process);
	tap_run("ingest: a decoder out of memory in the child fails the file, not the caller",
	    test_a_decoder_out_of_memory_fails_the_file_not_the_caller);
	tap_run("ingest: limits that cannot be set (setrlimit denied, as a unit's filter may) fail the file, closed",
	    test_limits_that_cannot_be_set_fail_closed);
	tap_run("ingest: the decoder's sandbox (Landlock) reads, and renames, removes or creates nothing",
	    test_the_decoder_sandbox_writes_nothing);
	tap_run("ingest: a pulled plug at every write, fsync and rename leaves no half bulletin",
	    test_crash_at_every_write_leaves_no_half_bulletin);
	return tap_done();
}
