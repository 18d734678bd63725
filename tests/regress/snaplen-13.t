# snaplen 13: every other record is longer than the snaplen (read as stored,
# named record_over_snaplen), the others hold 13 bytes (link_truncated).
input pcaps/fixtures/snaplen-13.pcap
exit 0
query SELECT status, packets FROM sources
expect complete|12
query SELECT name, count, first_frame FROM anomalies ORDER BY name
expect link_truncated|6|2;no_flow.link_truncated|6|2;record_over_snaplen|6|1;snaplen_cut|6|2
query SELECT count(*), sum(caplen) FROM observations WHERE kind='dns.query'
expect 6|508
query SELECT count(*) FROM observations WHERE kind='anomaly' AND value LIKE 'record_over_snaplen%'
expect 6
