# TLS read on port 8080 (KakaoTalk): the observations carry the decode_as=
# hint that reports turn into tshark's -d option, and nothing on TLS's
# own port carries one.
requires-shared
input $SHARED/KakaoTalk_talk.pcap
exit 0
query SELECT count(*) > 0 FROM observations WHERE kind='tls.ja3' AND detail LIKE '%decode_as=tcp.port==8080,tls%'
expect 1
query SELECT count(*) FROM observations WHERE detail LIKE '%decode_as=tcp.port==443,%'
expect 0
