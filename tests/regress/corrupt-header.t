# A capture whose file header is corrupt: one error line naming the file and
# frame 0, exit 2, nothing ingested.
input pcaps/fixtures/corrupt-header.pcap
exit 2
stderr corrupt-header.pcap: frame 0 (file header)
query SELECT count(*) FROM sources
expect 0
