"""The owner's bilan: what a finished diagnostic says, as a page, a PDF and progress over time."""
