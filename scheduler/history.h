/*
 * history: what the airing log says the planner needs: the last airing of
 * every bulletin (failed ones do not count), the latest session slot handled
 * (a restart never airs it again), and the config last logged as applied.
 * One pass over the log; shared by the daemon and `loaxa plan`.
 */
#ifndef HISTORY_H
#define HISTORY_H

struct history_cb {
	void	(*aired)(void *arg, const char *bulletin, long long start_s);
	void	*arg;
	long long last_slot_s;		/* out: latest slot (epoch s) of a timed session, or 0 */
	char	config_sha[65];		/* out: sha256 of the config last logged, or "" */
};

/* 0, or -1 when the log cannot be read (an absent log is empty: 0) */
int	history_read(const char *airlog_dir, struct history_cb *);

#endif
