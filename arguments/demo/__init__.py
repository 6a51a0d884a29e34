"""Demo content: the open-weight AI debates as plain data (`manage.py seed_demo` loads them).
Imports nothing of the app.
"""
