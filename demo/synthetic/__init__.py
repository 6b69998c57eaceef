"""The synthetic England for `make bench`: ``manage.py seed_synthetic`` (see load.py)."""
