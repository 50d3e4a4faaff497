"""Cached report pages served gzip-compressed (reports.responses): compressed once per cache entry,
each person's own strings (the sign-out form's CSRF token, their name) spliced in as deflate
pieces of their own. Decompressed with Python's gzip module (which checks the CRC and length),
each person gets their own strings and never another's; without gzip accepted, the plain bytes."""

import gzip
import random
import re
import zlib

import pytest
from django.test import Client

from reports import responses
from surveys.roles import Role
from tests.factories import EmployeeFactory
from tests.reports.snapshots import build_company

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def company(org):
    return build_company(departments=6, cycles=2, include=(org["sales"],))


def _client(user, **headers) -> Client:
    client = Client(enforce_csrf_checks=True, **headers)
    client.force_login(user)
    return client


def _page(response) -> str:
    """The page a browser would read: decompressed by Python's gzip module when sent as gzip."""
    assert response.status_code == 200
    if response.get("Content-Encoding") == "gzip":
        return gzip.decompress(response.content).decode()
    return response.content.decode()


def _vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


@pytest.mark.parametrize("page", ["dashboard", "department"])
def test_two_people_get_their_own_strings_out_of_the_compressed_cache(company, org, page):
    role = Role.EXECUTIVE if page == "dashboard" else Role.MANAGER
    department = org["executive_office"] if page == "dashboard" else org["sales"]
    url = "/reports/" if page == "dashboard" else f"/reports/{company['latest'].name}/departments/sales/"
    first, second = (
        EmployeeFactory(department=department, role=role, user__full_name=name, user__email=email)
        for name, email in (("Ada First", "a@example.com"), ("Olga <Other>", "o@example.com"))
    )
    ada, olga = _client(first.user, HTTP_ACCEPT_ENCODING="gzip"), _client(second.user, HTTP_ACCEPT_ENCODING="gzip")
    ada_response = ada.get(url)  # fills the cache
    olga_response = olga.get(url)  # the same cache entry, with Olga's strings
    assert ada_response["Content-Encoding"] == olga_response["Content-Encoding"] == "gzip"
    assert "accept-encoding" in _vary(ada_response) and "accept-encoding" in _vary(olga_response)
    ada_page, olga_page = _page(ada_response), _page(olga_response)
    ada_token, olga_token = TOKEN.search(ada_page).group(1), TOKEN.search(olga_page).group(1)
    assert "Ada First" in ada_page and "Olga" not in ada_page and olga_token not in ada_page
    assert "Olga &lt;Other&gt;" in olga_page and "Ada First" not in olga_page and ada_token not in olga_page
    # The same cached page apart from the two strings, and the same as the plain one.
    assert olga_page.replace("Olga &lt;Other&gt;", "Ada First").replace(olga_token, ada_token) == ada_page
    plain = _page(_client(first.user).get(url))
    assert plain.replace(TOKEN.search(plain).group(1), ada_token) == ada_page
    # The token is never compressed with anything (a piece of its own, stored): no length tells of it.
    assert olga_token.encode() in olga_response.content
    # Each one's sign-out works with their own token only.
    assert olga.post("/accounts/logout/", {"csrfmiddlewaretoken": ada_token}).status_code == 403
    assert olga.post("/accounts/logout/", {"csrfmiddlewaretoken": olga_token}).status_code == 302


@pytest.mark.parametrize("accept", [None, "", "identity", "gzip;q=0", "deflate, br", "gzipx", "gzip;q=x", "*;q=0"])
def test_without_gzip_accepted_the_cached_page_is_sent_plain(company, executive, accept):
    headers = {} if accept is None else {"HTTP_ACCEPT_ENCODING": accept}
    _client(executive.user, HTTP_ACCEPT_ENCODING="gzip").get("/reports/")  # the entry is filled, compressed too
    response = _client(executive.user, **headers).get("/reports/")
    assert response.status_code == 200 and "Content-Encoding" not in response
    assert response.content.lower().startswith(b"<!doctype html>") and not response.content.startswith(b"\x1f\x8b")
    assert executive.user.get_full_name() in response.content.decode()
    assert "accept-encoding" in _vary(response)


@pytest.mark.parametrize(
    "header, accepted",
    [
        ("gzip", True),
        ("gzip, deflate, br, zstd", True),
        ("GZIP;Q=0.5", True),
        ("x-gzip", True),
        ("*", True),
        ("br, *;q=0.1", True),
        ("gzip;q=0, *", False),
        ("gzip;q=0", False),
        ("gzip;q=2", False),
        ("gzip;q=", False),
        ("identity", False),
        ("", False),
        ("gzipped", False),
    ],
)
def test_accept_encoding_is_read_as_http_says(header, accepted):
    assert responses.accepts_gzip(header) is accepted


def test_the_crc_is_carried_over_a_shared_piece_without_reading_it():
    rng = random.Random(5)
    for length in (0, 1, 7, 255, 256, 4096, 100_003):
        shift = responses._Shift(length)
        piece = rng.randbytes(length)
        for _ in range(20):
            before = rng.getrandbits(32)
            assert shift(before) ^ zlib.crc32(piece) == zlib.crc32(piece, before)


def test_a_page_put_together_is_one_valid_gzip_member_whatever_the_strings():
    marker_page = f"<p>{responses._NAME}</p><form>{responses._TOKEN}</form>{'<td>1.0</td>' * 5000}".encode()
    plain, gzipped = responses._Plain(*responses._cut(marker_page)), responses._Gzipped(*responses._cut(marker_page))
    for name in (b"", b"A", "Zoë &amp; Ünal".encode(), b"x" * 70_000):
        personal = {responses._TOKEN: b"t" * 64, responses._NAME: name}
        assert gzip.decompress(gzipped.render(personal)) == plain.render(personal)
        assert plain.render(personal) == marker_page.replace(responses._NAME.encode(), name).replace(
            responses._TOKEN.encode(), b"t" * 64
        )


def test_the_compressed_length_tells_nothing_about_a_persons_strings_but_their_length():
    """BREACH-style guessing: a token or name that repeats the page's own text (or each other)
    compresses no better than random bytes of the same length, since each is a stored piece."""
    page = f"<p>{responses._NAME}</p><form>{responses._TOKEN}</form>{'<td>Sales 4.2</td>' * 2000}".encode()
    gzipped = responses._Gzipped(*responses._cut(page))
    rng = random.Random(7)
    alphabet = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    guesses = [bytes(rng.choice(alphabet) for _ in range(64)) for _ in range(5)]
    guesses += [(b"<td>Sales 4.2</td>" * 4)[:64], b"a" * 64]
    lengths = {
        len(gzipped.render({responses._TOKEN: token, responses._NAME: name}))
        for token in guesses
        for name in (token[:16], b"<td>Sales 4.2</t", bytes(rng.choice(alphabet) for _ in range(16)))
    }
    assert len(lengths) == 1


def test_a_compressed_cached_page_costs_the_queries_of_a_plain_one(
    company, executive, django_assert_num_queries, monkeypatch
):
    from reports import panels, visible

    monkeypatch.setattr(panels, "VERSIONS_SECONDS", 3600.0)
    monkeypatch.setattr(visible, "VISIBLE_CYCLES_SECONDS", 3600.0)
    client = _client(executive.user, HTTP_ACCEPT_ENCODING="gzip")
    assert client.get("/reports/").status_code == 200
    with django_assert_num_queries(1):  # the session with its person (accounts.sessions)
        assert client.get("/reports/")["Content-Encoding"] == "gzip"


def test_the_heatmaps_other_dimensions_are_sent_compressed_to_whoever_accepts_gzip(company, executive):
    import json

    url = f"/reports/{company['latest'].name}/heatmap.json"
    compressed = _client(executive.user, HTTP_ACCEPT_ENCODING="gzip").get(url)
    plain = _client(executive.user, HTTP_ACCEPT_ENCODING="gzip;q=0").get(url)
    assert compressed["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain
    assert "accept-encoding" in _vary(compressed) and "accept-encoding" in _vary(plain)
    assert json.loads(gzip.decompress(compressed.content)) == json.loads(plain.content)
