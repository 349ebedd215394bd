"""Rate limits on writes.

The API uses DRF throttling (``WriteRateThrottle``: only unsafe methods count). HTML write
views use ``limit_writes``, a per-user (or per-IP for anonymous visitors) sliding count in
the cache. Both live in the default cache; a multi-process deployment configures a shared
cache (see docs/decisions.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.throttling import SimpleRateThrottle


class WriteRateThrottle(SimpleRateThrottle):
    scope = "writes"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        ident = request.user.pk if request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


def _client_key(request: HttpRequest) -> str:
    if request.user.is_authenticated:
        return f"u{request.user.pk}"
    return "ip" + request.META.get("REMOTE_ADDR", "?")


def html_write_rate() -> tuple[int, int]:
    """``settings.HTML_WRITE_RATE`` ("count/seconds", both positive integers) as a pair;
    ImproperlyConfigured naming the setting and the value otherwise."""
    text = str(settings.HTML_WRITE_RATE)
    count, slash, seconds = text.strip().partition("/")
    if not (slash and count.isdecimal() and seconds.isdecimal() and int(count) > 0
            and int(seconds) > 0):
        raise ImproperlyConfigured(
            f"HTML_WRITE_RATE must be 'count/seconds' with positive integers (e.g. '30/60'), "
            f"not {text!r}")
    return int(count), int(seconds)


def limit_writes(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse POSTs beyond HTML_WRITE_RATE ("count/seconds") per client with a 429 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            count, seconds = html_write_rate()
            window = int(time.time()) // seconds
            key = f"html-writes:{_client_key(request)}:{window}"
            cache.add(key, 0, seconds)
            try:
                used = cache.incr(key)
            except ValueError:
                cache.set(key, 1, seconds)
                used = 1
            if used > count:
                message = _("Trop de demandes en peu de temps. Merci de patienter une minute.")
                return render(request, "refused.html", {"message": message}, status=429)
        return view(request, *args, **kwargs)

    return wrapper
