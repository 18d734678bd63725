# Certificates tshark shows and attrib once missed: the server's flight of
# malware.pcap arrives out of order (frame 35 before 37): the segment past
# the gap is held, and the chain is read when frame 37 fills it; a TLS 1.2
# client's own Certificate (side=client); DTLS certificates, the server's
# sent in fragments across datagrams, and a WebRTC client's (side=client).
requires-shared
input $SHARED/malware.pcap $SHARED/tls_client_certificate_with_missing_server_one.pcapng $SHARED/dtls_certificate_fragments.pcap
exit 0
query SELECT frame, value FROM observations WHERE kind='tls.cert.serial' AND value IN ('00912b084acf0c18a753f6d62e25a75f5a', '036c6042e9ce58fae4a64cf21393a1b65ecb') ORDER BY value
expect 37|00912b084acf0c18a753f6d62e25a75f5a;37|036c6042e9ce58fae4a64cf21393a1b65ecb
query SELECT DISTINCT value, detail FROM observations WHERE kind='tls.cert.serial' AND detail LIKE '%side=client%' ORDER BY value, detail
expect 00d102fbd764f45534|impl=gnutls dtls=1.2 side=client cert=0 decode_as=udp.port==50001,dtls;01|impl=gnutls side=client cert=0;01|impl=gnutls side=client cert=0 decode_as=tcp.port==7070,tls
query SELECT DISTINCT value, detail FROM observations WHERE kind='tls.cert.san' AND detail LIKE '%dtls=%' ORDER BY value
expect *.discord.gg|impl=gnutls dtls=1.2 cert=0 type=dns decode_as=udp.port==50001,dtls;*.opera-mini.net|impl=gnutls dtls=1.0 cert=0 type=dns decode_as=udp.port==44443,dtls;*.samsungmax.com|impl=gnutls dtls=1.0 cert=0 type=dns decode_as=udp.port==44443,dtls;discord.gg|impl=gnutls dtls=1.2 cert=0 type=dns decode_as=udp.port==50001,dtls
