# snaplen 64, every record longer: each is read as stored (all DNS names
# extracted) and named record_over_snaplen; verify says intact
# (tests/custody/snaplen.sh flips its bytes).
input pcaps/fixtures/snaplen-short.pcap
exit 0
query SELECT status, packets FROM sources
expect complete|12
query SELECT name, count, first_frame FROM anomalies ORDER BY name
expect record_over_snaplen|12|1
query SELECT count(*), sum(caplen) FROM observations WHERE kind='dns.query'
expect 12|1013
query SELECT count(*) FROM observations WHERE kind='anomaly' AND value LIKE 'record_over_snaplen%'
expect 12
