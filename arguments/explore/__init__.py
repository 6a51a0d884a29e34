"""Explore: finding debates and where to take part in them: search (`search`), the lists of
Explore and the home page (`listings`), where the room is divided (`cruxes`), and what a
debate needs (`gaps`).

May use: reading, structure, rules, selectors, models.
"""
