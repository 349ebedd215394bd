"""WSGI entry point (gunicorn config.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# The cyclic garbage collector, for a server process: what was loaded so far (Django, the
# apps, the URL patterns...) lives as long as the process, so it is moved out of the
# collector's sight (``gc.freeze``), and a young collection runs after 10 000 new container
# objects instead of 700 (a request allocates thousands: every request paid for one or
# more collections). Reference counting still frees all acyclic garbage at once; cycles
# wait a little longer. Measured on the voting-day cast in docs/performance.md.
gc.freeze()
gc.set_threshold(10_000, 10, 10)
