# Variant 4 (attr-claims-all-links.scn): the traffic of variant 2 plus
# non-technical claims on every link of A's chain. Only now does the state
# chain get belief above 0, and it still meets no standard of proof: the
# claims on L3 and L4 are assessments, not proof.
expect actor-a links.*.belief > 0
expect actor-a chains.state.joint.belief > 0
expect actor-a chains.individual.joint.belief > 0
expect actor-a chains.state.joint.belief < 0.5
expect actor-a standards.*.met == false
expect actor-a links.L1.belief >= actor-a links.L4.belief
expect actor-a flags.*.flag lacks CONFLICT
expect actor-b chains.state.joint.belief == 0
# no planted-looking evidence: the derived false-flag hypothesis stays at 0
expect false-flag links.*.belief == 0
