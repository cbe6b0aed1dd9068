"""Storing generations: the index directory and its generations, the FAISS vectors, BM25."""
