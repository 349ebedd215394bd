"""The HTML write limit reads its setting strictly and names it when it is wrong."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.throttling import html_write_rate


def test_the_html_write_rate_is_read_as_count_and_seconds(settings):
    settings.HTML_WRITE_RATE = "30/60"
    assert html_write_rate() == (30, 60)


@pytest.mark.parametrize("value", ["30/min", "30", "0/60", "30/0", "-1/60", "", "30/60/2"])
def test_a_malformed_html_write_rate_is_refused_with_the_setting_named(settings, value):
    settings.HTML_WRITE_RATE = value
    with pytest.raises(ImproperlyConfigured, match="HTML_WRITE_RATE"):
        html_write_rate()
