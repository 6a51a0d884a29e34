"""Background work on Django's task framework (`django.tasks`) with the database backend of
django-tasks-db: the tasks the site enqueues (imports, LTI scores soon), the periodic jobs
(digests, LTI score and roster sync, clean-up) and the worker that runs them all
(`manage.py run_tasks`). docs/DEPLOY.md says how to run it."""
