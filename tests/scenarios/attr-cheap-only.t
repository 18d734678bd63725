# Variant 1 (pcaps/gen/scenarios/attr-cheap-only.scn): only cheap
# artefacts point at actor A, who really is the actor. The tool sees them
# but never lets them reach preponderance: not on any link, not on any
# chain, and no standard of proof is met.
expect actor-a links.L1.belief > 0
expect actor-a links.L2.belief > 0
# packets never speak to L3: working hours now count on L2
expect actor-a links.L3.uncertainty == 1
expect actor-a links.*.belief <= 0.5
expect actor-a chains.state.joint.belief == 0
expect actor-a chains.organisation.joint.belief <= 0.5
expect actor-a chains.individual.joint.belief <= 0.5
expect actor-a standards.*.met == false
expect actor-a links.L2.belief > actor-b links.L2.belief
expect actor-a flags.*.flag lacks FALSE_FLAG
expect actor-b links.*.belief == 0
# no planted-looking evidence: the derived false-flag hypothesis stays at 0
expect false-flag links.*.belief == 0
