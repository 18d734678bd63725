# Variant 5 (attr-conflict.scn): the traffic of variant 2, and two vendor
# reports of equal standing that disagree about A's organisation (L3).
# The conflict is flagged, not renormalised away: L3 keeps its
# uncertainty, and the chains through it stay at belief 0 (nothing on L4).
expect actor-a links.L3.flags has CONFLICT
expect actor-a flags.*.flag has CONFLICT
expect actor-a links.L3.conflict > 0.1
expect actor-a links.L3.belief < 0.5
expect actor-a links.L3.disbelief < 0.5
expect actor-a links.L1.belief > 0.5
expect actor-a links.L2.belief > 0.5
expect actor-a chains.state.joint.belief == 0
expect actor-a standards.*.met == false
# no planted-looking evidence: the derived false-flag hypothesis stays at 0
expect false-flag links.*.belief == 0
