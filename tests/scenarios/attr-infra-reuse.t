# Variant 2 (attr-infra-reuse.scn): strong infrastructure and certificate
# reuse evidence for actor A, nothing beyond. Two independent sources tie
# A to the servers and to the certificate, so L1 and L2 pass
# preponderance; nothing speaks to L3, L3i or L4, so every chain through
# them stays at belief 0 and no standard is met.
expect actor-a links.L1.belief > 0.5
expect actor-a links.L2.belief > 0.5
expect actor-a links.L3.uncertainty == 1
expect actor-a links.L3i.uncertainty == 1
expect actor-a links.L4.uncertainty == 1
expect actor-a chains.state.joint.belief == 0
expect actor-a chains.organisation.joint.belief == 0
expect actor-a standards.*.met == false
expect actor-a standards.0.reachable == true
expect actor-a flags.*.flag lacks FALSE_FLAG
expect actor-a flags.*.flag lacks CONFLICT
# the same costly evidence speaks against B
expect actor-b links.L1.belief == 0
expect actor-b links.L2.belief == 0
expect actor-b links.L1.disbelief > 0.3
expect actor-b links.L2.disbelief > 0.3
# no planted-looking evidence: the derived false-flag hypothesis stays at 0
expect false-flag links.*.belief == 0
