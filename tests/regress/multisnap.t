# pcapng with interfaces of different snap lengths and link types (libpcap
# stops at the second interface, after frame 2): attrib's own pcapng reader
# reads on; frames as tshark numbers them, the simple packet block (frame 6,
# no time) reads as libpcap gives one (time 0: time_backwards).
input pcaps/fixtures/multisnap.pcapng
exit 0
query SELECT status, packets, format, linktype FROM sources
expect complete|10|pcapng|1
query SELECT name, count, first_frame FROM anomalies ORDER BY name
expect snaplen_cut|2|4;time_backwards|1|6
query SELECT frame, file_offset, value FROM observations WHERE kind='dns.query' ORDER BY frame
expect 1|48|alpha.example;3|352|bravo.example;5|652|charlie.example;6|748|delta.example;7|908|echo.example;10|1284|golf.example
