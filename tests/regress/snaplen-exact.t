# Records exactly at the snaplen (cut on the wire): snaplen_cut, never
# record_over_snaplen.
input pcaps/fixtures/snaplen-exact.pcap
exit 0
query SELECT status, packets FROM sources
expect complete|12
query SELECT name, count, first_frame FROM anomalies ORDER BY name
expect snaplen_cut|12|1
query SELECT count(*), sum(caplen) FROM observations WHERE kind='dns.query'
expect 12|1080
query SELECT count(*) FROM observations WHERE kind='anomaly' AND value LIKE 'record_over_snaplen%'
expect 0
