# tshark-run.sh — sourced by tshark-indicators.sh and tshark-communityid.sh:
# the one tshark reading of a capture both oracles compare with, so that
# tshark reads each capture once.
#
#   . tests/oracle/tshark-run.sh      (sets TSHARK_ARGS, TSHARK_KEY, CACHE)
#   tshark_fields FILE OUT ERR        OUT: one line per frame, tab-separated:
#                                     frame.number, frame.protocols, the
#                                     fields tshark_compare.py lists, and
#                                     last the Community IDs of the frame
#
# Every occurrence of a field is printed (-E occurrence=a), joined by an
# ASCII unit separator; TCP and TLS reassembly are on, and the Community
# ID post-dissector. The output depends only on the capture, tshark and
# these arguments: it is cached in build/oracle/tshark-cache under their
# hashes, so the second oracle (and a rerun) reads it from there.
# Needs HERE (tests/oracle) and root (the project) set; where TSHARK_ARGS
# is already set (the per-capture runs), only defines tshark_fields.
if [ -z "${TSHARK_ARGS:-}" ]; then
US=$(printf '\037')
TSHARK_ARGS="-n --enable-protocol communityid
	-o tcp.desegment_tcp_streams:TRUE -o tls.desegment_ssl_records:TRUE
	-o tls.desegment_ssl_application_data:TRUE -o http.desegment_headers:TRUE
	-T fields -E separator=/t -E occurrence=a -E aggregator=$US
	-e frame.number -e frame.protocols
	$(python3 "$HERE/tshark_compare.py" fields) -e communityid"
CACHE=$root/build/oracle/tshark-cache
mkdir -p "$CACHE"
TSHARK_KEY=$({ tshark -v 2>/dev/null | head -1; echo "$TSHARK_ARGS"; } |
	sha256sum | cut -c1-16)
export US TSHARK_ARGS CACHE TSHARK_KEY
fi

# tshark_fields FILE OUT ERR: tshark's reading of FILE into OUT (from the
# cache when it is there); 0, or tshark's exit status with its message in
# ERR.
tshark_fields() {
	_cached="$CACHE/$(sha256sum <"$1" | cut -c1-64)-$TSHARK_KEY.t"
	if [ -f "$_cached" ]; then
		cp "$_cached" "$2"
		return 0
	fi
	_rc=0
	# shellcheck disable=SC2086 # the arguments are split on purpose
	tshark -r "$1" $TSHARK_ARGS >"$2" 2>"$3" || _rc=$?
	[ $_rc -eq 0 ] || return $_rc
	cp "$2" "$_cached.$$" && mv "$_cached.$$" "$_cached"
}
