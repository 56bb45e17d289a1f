/* stream: the decoding child's status lines as the daemon reads them, good and hostile */
#include <stdio.h>
#include <string.h>

#include "audio/stream.h"
#include "tests/unit/tap.h"

static void
status_lines_are_read(void)
{
	struct audio_stream_stats st;

	memset(&st, 0, sizeof(st));
	audio_stream_status_line(&st, "connected mp3 mp3float 44100 2");
	audio_stream_status_line(&st, "title Thời sự trưa");
	EXPECT_STR(st.format, "mp3 mp3float 44100 2");
	EXPECT_STR(st.title, "Thời sự trưa");
	audio_stream_status_line(&st, "error http-404 http://x/a.mp3: Server returned 404 Not Found");
	EXPECT_STR(st.reason, "http-404");
	EXPECT_STR(st.error, "http://x/a.mp3: Server returned 404 Not Found");
	audio_stream_status_line(&st, "ended");
	EXPECT_STR(st.reason, "ended");
}

/* a child that decoded something hostile may write anything: cut, cleaned, never trusted */
static void
hostile_status_lines_are_cut_and_cleaned(void)
{
	struct audio_stream_stats st;
	char longline[5000];

	memset(&st, 0, sizeof(st));
	audio_stream_status_line(&st, "title \033[2J\aclear the screen");
	EXPECT_STR(st.title, " [2J clear the screen");
	memset(longline, 'z', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	memcpy(longline, "error ", 6);
	audio_stream_status_line(&st, longline);
	EXPECT_INT((long long)strlen(st.reason), (long long)sizeof(st.reason) - 1);
	audio_stream_status_line(&st, "error");	/* no reason: nothing changes */
	EXPECT_INT((long long)strlen(st.reason), (long long)sizeof(st.reason) - 1);
	audio_stream_status_line(&st, "connected \001\002\003");
	EXPECT_STR(st.format, "   ");
	audio_stream_status_line(&st, "whatever else");
	EXPECT_STR(st.format, "   ");
}

int
main(void)
{
	tap_plan(2);
	TEST(status_lines_are_read);
	TEST(hostile_status_lines_are_cut_and_cleaned);
	return tap_done();
}
