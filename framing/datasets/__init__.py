"""Corpus loading: registry cards, fetching, readers and the corpus builder."""
