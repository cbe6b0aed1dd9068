"""Answering: the policy that quotes or abstains, citations and references, follow-ups, answers as
plain text."""
