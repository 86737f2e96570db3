#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vcrypto-hostd under traffic gets SIGTERM: it exits 0, and the guest sees
# every request complete (OK) or fail with -ENOTCONN; it never hangs.
# Both poller placements: main-thread polling (-l 0) and a worker lcore (-l 0-1).
export HOSTD=$1 GUEST=$2 # HOSTD: used by lib.sh
. "$(dirname "$0")/lib.sh"

for lcores in 0 0-1; do
	SOCK=$T/sig$lcores.sock
	if [ "$lcores" = 0 ]; then
		start_hostd "$lcores" "$T/hostd$lcores.log" --device crypto_openssl --socket "$SOCK"
	else
		# The same through a configuration file, with an explicit poller.
		cat >"$T/hostd.conf" <<-CONF
			[engine sw]
			device = crypto_openssl
			[poller fast]
			lcore = 1
			burst = 16
			[port vm]
			socket = $SOCK
			pollers = fast
			max_inflight = 32
		CONF
		start_hostd "$lcores" "$T/hostd$lcores.log" --config "$T/hostd.conf"
	fi
	wait_for_socket "$SOCK" 30 || { fail "lcores $lcores: no socket"; cat "$T/hostd$lcores.log"; continue; }
	"$GUEST" perf --socket "$SOCK" --algo aes-256-cbc --size 2048 --depth 64 --duration 60 \
		--stall-timeout 20 >"$T/perf$lcores" 2>&1 &
	GPID=$!
	PIDS+=("$GPID")
	sleep 3
	stop_hostd
	rc=$?
	[ $rc = 0 ] && ok "lcores $lcores: hostd exit 0 under traffic" ||
		{ fail "lcores $lcores: hostd exit $rc"; tail -20 "$T/hostd$lcores.log"; }
	grep "^vcrypto-hostd:" "$T/hostd$lcores.log"
	if [ "$lcores" = 0 ]; then
		want="poller default.poller: engine default queue pair 0, main thread"
	else
		want="poller fast: engine sw queue pair 0, worker lcore"
	fi
	grep -qF "$want" "$T/hostd$lcores.log" && ok "lcores $lcores: $want" || fail "lcores $lcores: not '$want'"
	wait_pid "$GPID" 30
	grc=$?
	cat "$T/perf$lcores"
	case $grc in
	3) ok "lcores $lcores: guest saw the disconnect, every request accounted for" ;;
	124) fail "lcores $lcores: guest hung after the host stopped" ;;
	*) fail "lcores $lcores: guest exit $grc" ;;
	esac
	grep -q "failed=0" "$T/perf$lcores" || fail "lcores $lcores: requests failed with a status other than OK or -ENOTCONN"
	grep -Eq "requests=[0-9]+ ok=[1-9]" "$T/perf$lcores" || fail "lcores $lcores: no request completed before SIGTERM"
done
finish
