"""The demo data (``manage.py seed_demo``): fictional children, schools, people and PEPs
for three real authorities. It sits on top of the domain apps and nothing imports it."""
