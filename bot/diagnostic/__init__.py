"""The diagnostic: questionnaire, answer reading, scoring, corrections, the company profile."""
