"""qbank: an auto-graded question bank for how language models are trained and aligned."""
