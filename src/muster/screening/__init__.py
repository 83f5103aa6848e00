"""Border screening: the decision (document, identity, policy, crossing), identification
against the roll, the policy's inputs, crossings and referrals, and the crossing writer."""
