# Generated scenarios beacon-channel-15s and random-channel: a C2 that
# checks in every 15 s over one long TLS connection is found as an in-flow
# beacon with its parts; a long connection with requests at random times
# gives no beacon, and neither do the pieces the flow table cuts a long
# connection into (hard timeout).
input pcaps/lab/beacon-channel-15s.pcap pcaps/lab/random-channel.pcap
exit 0
query SELECT count(*) FROM observations WHERE kind='beacon' AND value LIKE '10.0.0.5:%->203.0.113.15:443 in-flow period=15.0s %interval=0.9_ size=0.__ duration=1.00 hours=1.00'
expect 1
query SELECT count(*) FROM observations WHERE kind='beacon' AND detail LIKE '%utc_hours=%' AND detail LIKE '%size_regularity=%'
expect 1
query SELECT count(*) FROM observations WHERE kind='beacon'
expect 1
query SELECT count(*) FROM observations WHERE packet_sha256 IS NULL OR frame < 1
expect 0
