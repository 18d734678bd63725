# The bundled samples: one source per file, all complete, the protocols
# nDPI finds in them, and a second ingest of the same folder is a no-op.
input pcaps/samples pcaps/samples/dns.pcap
exit 0
stderr already in the case as source
query SELECT count(*), sum(status='complete') FROM sources
expect 6|6
query SELECT proto, count(*) FROM flows GROUP BY proto ORDER BY proto
expect DNS.Google|1;DNS.WhatsApp|1;HTTP.Google|1;QUIC|1;SSH|2;TLS|1;TLS.Microsoft|1
query SELECT count(*) FROM custody WHERE action='ingest'
expect 6
