"""`make bench`: measurements against the synthetic dataset (``python -m demo.bench``)."""
