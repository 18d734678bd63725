# Generated scenario beacon-300s (truth: pcaps/gen/scenarios/beacon-300s.truth):
# the implant's 300 s beacon to 203.0.113.10:443 is found and working hours
# point at UTC+8; every observation cites a packet of the capture.
input pcaps/lab/beacon-300s.pcap
exit 0
query SELECT count(*) FROM observations WHERE kind='beacon' AND value LIKE '10.0.0.5->203.0.113.10:443 period=29%'
expect 1
query SELECT count(*) FROM observations WHERE kind='activity.hours' AND value LIKE '10.0.0.5 %' AND detail LIKE '%map_offset=+8 %'
expect 1
query SELECT count(*) FROM observations WHERE packet_sha256 IS NULL OR frame < 1
expect 0
