"""Retrieving: a question read into a Query, filtered rows, candidates, ranking strategies (the
same-language fusion and the cross-lingual one), one hit per fact; what the readouts do not hold;
the live library whose snapshots answer."""
