# A capture cut mid-record: one error line naming file and frame, exit 2,
# every packet before the cut kept, the hash of the bytes present recorded.
input pcaps/fixtures/truncated.pcap
exit 2
stderr truncated.pcap: frame 96: truncated record
query SELECT status, packets, committed_frame FROM sources
expect error|95|95
query SELECT sha256 FROM sources
expect 03087315bfa65746b6274ac96f7ecea680740ff32dadb21ac04e57381e71c4d6
query SELECT count(*) > 0 FROM flows
expect 1
query SELECT name, count, first_frame FROM anomalies WHERE name='file_truncated'
expect file_truncated|1|96
