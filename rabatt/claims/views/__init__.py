"""Consumer pages of a claim: the wizard, the tracker and the answer, one module each."""
