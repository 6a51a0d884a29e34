"""Bench and load-test helpers (`manage.py bench`, `manage.py loadtest`): synthetic debates,
signed-in clients, and a second serving process driven over a pipe. Not used by the site.
"""
