"""The LRS is configured by environment variables, read loudly: an LRS without the site's own
address, or an address that is no web address, stops start-up naming the variable."""

from tests.test_settings import run_python

SETUP = "import django; django.setup(); from django.conf import settings; "


def test_without_an_endpoint_learning_records_are_off():
    result = run_python(SETUP + "print(repr(settings.XAPI_ENDPOINT))", SECRET_KEY="k")
    assert result.stdout.strip() == "''"


def test_an_lrs_needs_the_sites_address_for_its_statements():
    result = run_python(SETUP, SECRET_KEY="k", XAPI_ENDPOINT="https://lrs.example.org/xAPI")
    assert result.returncode != 0
    assert "SITE_URL is not set" in result.stderr


def test_an_address_that_is_no_web_address_is_refused_by_name():
    result = run_python(
        SETUP, SECRET_KEY="k", SITE_URL="cme.example.org", XAPI_ENDPOINT="https://lrs.example.org"
    )
    assert result.returncode != 0
    assert "SITE_URL must start with http:// or https://" in result.stderr


def test_the_addresses_are_kept_without_a_trailing_slash():
    result = run_python(
        SETUP + "print(settings.SITE_URL, settings.XAPI_ENDPOINT)",
        SECRET_KEY="k",
        SITE_URL="https://cme.example.org/",
        XAPI_ENDPOINT="https://lrs.example.org/xAPI/",
    )
    assert result.stdout.split() == ["https://cme.example.org", "https://lrs.example.org/xAPI"]
