# Sourced by tests that need a sink playing in real time: start_pulse [NAME]
# starts a PulseAudio null sink on a private socket under $tmp/pa[-NAME]
# (reached through ALSA's pulse plugin: the pulse and loaxart devices),
# registers its stop in cleanup_hooks, and exports PULSE_SERVER (the last
# one started; each server's address is also in $pulse_server). Returns 1
# (and says why) when it cannot. Needs $tmp, notok and cleanup_hooks.
start_pulse() {
	if ! command -v pulseaudio > /dev/null; then
		notok "pulseaudio is installed" "run make deps (tests/deps.sh installs it)"
		return 1
	fi
	pa=$tmp/pa${1:+-$1}
	mkdir -p "$pa/run" "$pa/state"
	HOME=$pa XDG_RUNTIME_DIR=$pa PULSE_RUNTIME_PATH=$pa/run PULSE_STATE_PATH=$pa/state \
	    pulseaudio -n --daemonize=no --exit-idle-time=-1 --use-pid-file=no --log-target=stderr \
	    --load="module-null-sink sink_name=loaxa" \
	    --load="module-native-protocol-unix socket=$pa/native auth-anonymous=1" > "$pa/log" 2>&1 &
	papid=$!
	papids="${papids:-} $papid"
	cleanup_hooks="$cleanup_hooks stop_pulse"
	i=0
	while [ ! -S "$pa/native" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	if [ ! -S "$pa/native" ]; then
		notok "pulseaudio starts" "no socket after 10 s"
		sed 's/^/#   /' "$pa/log"
		return 1
	fi
	pulse_server="unix:$pa/native"
	export PULSE_SERVER="$pulse_server" HOME="$pa"
}
stop_pulse() { for p in $papids; do kill "$p" 2> /dev/null; wait "$p" 2> /dev/null; done; papids=""; }
