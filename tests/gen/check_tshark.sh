#!/bin/sh
# check_tshark.sh MWGEN OUTDIR - every mwgen scenario must decode cleanly in Wireshark:
# no malformed packets, no error-level expert info, all IP/TCP/UDP checksums good, and the
# segmented scenarios must reassemble to the same stream as their in-order messages.
# Exit 77 (skipped) when tshark is not installed.
set -u
MWGEN=$1
OUT=$2
command -v tshark >/dev/null 2>&1 || { echo "SKIP: tshark not installed"; exit 77; }
mkdir -p "$OUT" || exit 1
T="tshark -n -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE \
 -o tcp.reassemble_out_of_order:TRUE --disable-protocol smpp"
fail=0
BAD='_ws.malformed || _ws.expert.severity >= 8388608 || ip.checksum.status == 0 || tcp.checksum.status == 0 || udp.checksum.status == 0'
# Only the deliberately segmented scenarios may show TCP analysis flags.
FLAGS='(tcp.analysis.flags && !tcp.analysis.window_update)'
CKSUM='ip.checksum.status == 0 || tcp.checksum.status == 0 || udp.checksum.status == 0'
for scen in $("$MWGEN" --list | awk '{print $1}'); do
    case $scen in
    synflood) args="200 stratum" ;;
    no-newline) args=20000 ;;
    fanout-mix) args="3 100" ;;
    many-miners) args=20 ;;
    pool-hop) args="4 2" ;;
    hosts-mix) args="3 2" ;;
    long-run) args="4 2" ;;
    # Bulk look-alikes of the behaviour detector: one minute is enough for the framing.
    enc-like-video|enc-like-call|enc-like-update) args="1 1" ;;
    *) args= ;;
    esac
    case $scen in
    stratum1-ooo|stratum1-onebyte-reverse) filter=$BAD ;;
    # Deliberately hostile application bytes, overlaps and urgent data: only the framing
    # (checksums) must be right, the malformed payload is the point (scen_hostile.c).
    hostile-*|tcp-overlap|tcp-ttl-decoy|tcp-urgent) filter=$CKSUM ;;
    # Wireshark's reassembly may keep the other copy of the overlap (OS-dependent).
    frag-overlap-*) filter='ip.checksum.status == 0' ;;
    *) filter="$BAD || $FLAGS" ;;
    esac
    fmts=pcap
    case $scen in stratum1-btc|stratum1-ipv6-vlan|dns-fragmented) fmts="pcap pcapng" ;; esac
    for fmt in $fmts; do
        f="$OUT/$scen.$fmt"
        flag=
        [ $fmt = pcapng ] && flag=--pcapng
        # shellcheck disable=SC2086
        if ! "$MWGEN" $flag "$scen" $args "$f"; then
            echo "FAIL: mwgen $scen ($fmt) exited non-zero"; fail=1; continue
        fi
        bad=$($T -r "$f" -Y "$filter" 2>&1 | grep -v 'Running as user')
        if [ -n "$bad" ]; then
            echo "FAIL: $scen ($fmt): malformed, bad checksum or unexpected TCP analysis flags:"
            echo "$bad" | head -5; fail=1
        fi
    done
done
# Out-of-order and reversed segments must reassemble to the right text.
stream() { $T -r "$1" -q -z follow,tcp,raw,0 2>/dev/null | sed -n '7,$p' | tr -d '\n\t =' | xxd -r -p; }
if command -v xxd >/dev/null 2>&1; then
    stream "$OUT/stratum1-onebyte-reverse.pcap" | grep -q '"method":"mining.authorize","params":\["reverse.w9","x"\]' ||
        { echo "FAIL: stratum1-onebyte-reverse does not reassemble"; fail=1; }
    stream "$OUT/stratum1-ooo.pcap" | grep -q '"method": "mining.submit", "params": \["shuffled.w1"' ||
        { echo "FAIL: stratum1-ooo does not reassemble"; fail=1; }
fi
[ $fail -eq 0 ] && echo "all scenarios decode cleanly"
exit $fail
