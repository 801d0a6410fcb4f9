"""Learning from real conversations: the messages the assistant did not understand, grouped for
an advisor to label, and the labelled ones written back as training data."""
