"""The client IP used by login throttling, with and without reverse proxies."""

from django.test import RequestFactory

from config.client_ip import client_ip


def test_client_ip_no_proxy_ignores_forwarded_header(settings):
    """Without trusted proxies, a forged X-Forwarded-For changes nothing."""
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "203.0.113.5"


def test_client_ip_behind_one_proxy_takes_the_address_it_appended(settings):
    """Behind one proxy, the right-most forwarded address is the visitor; what they wrote is ignored."""
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    assert client_ip(request) == "198.51.100.7"


def test_client_ip_missing_header_falls_back_to_remote_addr(settings):
    """A request that did not come through the proxies keeps its socket address."""
    settings.TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client_ip(request) == "10.0.0.2"
