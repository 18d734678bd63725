# A gzip-compressed pcap (two concatenated members): the source's SHA-256
# is the file as stored, offsets are in the decompressed stream.
input pcaps/fixtures/dns-http.pcap.gz
exit 0
query SELECT status, packets, format, sha256 FROM sources
expect complete|5|pcap+gzip|b96da0a8eded69580a607026267b66e6b4c492b66a8aa5fa287e735fcf716f03
query SELECT frame, file_offset, value FROM observations WHERE kind IN ('dns.query','http.user_agent') ORDER BY frame
expect 1|24|host0.example;2|113|host1.example;3|202|capfmt-agent/9;4|361|host2.example;5|450|host3.example
