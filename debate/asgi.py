"""
ASGI config for debate project.

It exposes the ASGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/6.0/howto/deployment/asgi/
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "debate.settings")

application = get_asgi_application()

# A worker's first request costs what its later ones do (debate/wsgi.py, issue 35).
from arguments.views.warm_up import warm_up  # noqa: E402 (needs the settings set up above)

warm_up()
