"""
WSGI config for debate project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/6.0/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "debate.settings")

django_application = get_wsgi_application()

# What a first request would load (URL modules, templates, catalogs) is loaded now, as the
# worker starts: its first request costs what its later ones do (issue 35).
from arguments.views.warm_up import warm_up  # noqa: E402 (needs the settings set up above)

warm_up()

# An idle reader's unchanged poll is answered before Django's request handling (issue 18).
from arguments.live.poll_shortcut import LivePolls  # noqa: E402 (needs the settings set up above)

application = LivePolls(django_application)
