# Generated scenario random-traffic: Poisson connections around the clock,
# so no beacon and no informative working-hours estimate.
input pcaps/lab/random-traffic.pcap
exit 0
query SELECT count(*) FROM observations WHERE kind='beacon'
expect 0
query SELECT count(*) FROM observations WHERE kind='activity.hours' AND detail LIKE '%informative=yes%'
expect 0
