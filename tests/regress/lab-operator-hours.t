# Generated scenario operator-hours-utc3: one host beacons every 300 s and
# browses around the clock while its operator's SSH sessions to one server
# keep a UTC+3 working day. The host's own hours are drowned (no
# informative estimate); the pair 10.0.0.10->198.51.100.7:22 names the
# server and the offset (credible set around +3); the beacon's pair gets
# no working-hours estimate (machine-driven flows are left out).
input pcaps/lab/operator-hours-utc3.pcap
exit 0
query SELECT count(*) FROM observations WHERE kind='activity.hours' AND value LIKE '10.0.0.10->198.51.100.7:22 utc_hours=%' AND detail LIKE 'scope=pair %map_offset=+3 credible90=%+3%informative=yes%'
expect 1
query SELECT count(*) FROM observations WHERE kind='activity.hours' AND value LIKE '10.0.0.10->203.0.113.30:%'
expect 0
query SELECT count(*) FROM observations WHERE kind='activity.hours' AND value LIKE '10.0.0.10 %' AND detail LIKE '%informative=yes%'
expect 0
query SELECT count(*) FROM observations WHERE kind='beacon' AND value LIKE '10.0.0.10->203.0.113.30:443 period=29%'
expect 1
