# Variant 3 (attr-false-flag.scn): actor B plants A's cheap artefacts;
# B's reused certificate and long-held server give it away. The false flag
# is flagged on A, A's belief stays low (below its disbelief), and the
# costly evidence points at B.
expect actor-a flags.*.flag has FALSE_FLAG
expect actor-a links.L1.flags has FALSE_FLAG
expect actor-a links.L2.flags has FALSE_FLAG
expect actor-a links.L1.belief < 0.2
expect actor-a links.L2.belief < 0.2
expect actor-a links.L3.belief < 0.2
expect actor-a links.L1.disbelief > actor-a links.L1.belief
expect actor-a links.L2.disbelief > actor-a links.L2.belief
expect actor-a standards.*.met == false
# B's servers count once although two sources report them (the same
# artefact), and A's planted cheap clues weigh against B in the frame:
# B leads on L1 without reaching preponderance there
expect actor-b links.L1.belief > actor-b links.L1.disbelief
expect actor-b links.L1.belief > 0.4
expect actor-b links.L2.belief > 0.5
expect actor-b links.L1.belief > actor-a links.L1.belief
expect actor-b links.L2.belief > actor-a links.L2.belief
expect actor-b chains.state.joint.belief == 0
# the derived "false flag / imitation" hypothesis picks it up
expect false-flag links.L1.belief > 0
expect false-flag links.L2.belief > 0
# nobody is eliminated by silence: with no named chain believed,
# "someone else" stays fully plausible
expect unknown chains.state.joint.plausibility == 1
