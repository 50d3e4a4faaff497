"""Whole report pages as bytes, cached per snapshot and kind of viewer; the per-person parts (the
sign-out form's CSRF token and the name in the navigation bar) are joined in on each request (the
page is kept cut at them, so that a request copies it once).

Rendering the page around its cached body took longer than everything else a cached request
does; a page depends on the person looking only through those two strings, their role (part of
the key) and their pending messages or staff navigation (those pages are rendered as before).

**Compressed once per cache entry.** Every browser sends `Accept-Encoding: gzip`, and the
dashboard is ~280 KB of HTML (2.5 MB at 200 departments): a second cache entry beside the plain
one holds its shared pieces deflated once (raw deflate, each piece ended with Z_FULL_FLUSH:
byte-aligned, and no piece refers back into another), and a request that accepts gzip reads only
that entry and gets a gzip stream put together from it: the header, the first shared piece, this
person's string as a deflate piece of its own (stored, level 0: never compressed together with
anything, so no length tells anything about it or about the page beside it), the next shared
piece, …, a final empty block, and the trailer: the CRC-32 of the whole uncompressed page, carried
over each shared piece from tables made when the entry was filled (`_Shift`), so a request reads
none of the shared bytes again, and the length.
Responses of these pages say `Vary: Accept-Encoding`; without gzip accepted (or with `q=0`) the
plain bytes are sent as before.
"""

import re
import secrets
import struct
import zlib
from array import array
from collections.abc import Callable

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.html import escape

from .pages import CACHE_SECONDS

# Random per process, so no department or comment text can contain them.
_TOKEN = f"csrf{secrets.token_hex(16)}"
_NAME = f"name{secrets.token_hex(16)}"

# gzip's member header (RFC 1952): deflate, no flags, no time, no extra flags, unknown OS.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
_LAST_BLOCK = b"\x03\x00"  # an empty final block (fixed Huffman codes): the deflate stream ends
_LEVEL = 6  # zlib's default: ~1/8 of the dashboard in ~10 ms, once per cache entry and process


def _personal(request: HttpRequest) -> bool:
    """Pages whose navigation or messages are the person's own: HR's staff links (permission
    checks), a superuser's, or a message waiting to be shown."""
    return request.user.is_staff or request.user.is_superuser or len(messages.get_messages(request)) > 0


def accepts_gzip(header: str) -> bool:
    """Whether an Accept-Encoding header value accepts gzip (RFC 9110 §12.5.3): `gzip` or `x-gzip`
    with a weight above 0, or `*` with one when gzip is not named. Anything unreadable: no."""
    named, wildcard = None, False
    for element in header.split(","):
        coding, _, parameters = element.partition(";")
        coding = coding.strip().lower()
        weight = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value.strip())
                except ValueError:
                    weight = 0.0
                if not 0.0 <= weight <= 1.0:
                    weight = 0.0
        if coding in ("gzip", "x-gzip"):
            named = (named or False) or weight > 0
        elif coding == "*":
            wildcard = weight > 0
    return named if named is not None else wildcard


def page_response(request: HttpRequest, template: str, context: Callable[[], dict], *, key: str) -> HttpResponse:
    """`template` rendered with `context()` for this request; `key` names everything else the page
    shows (snapshot version, cycle, department, the viewer's kind)."""
    if _personal(request):
        return HttpResponse(render_to_string(template, context(), request))
    compressed = accepts_gzip(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    page = cache.get(f"{key}:{'gzip' if compressed else 'plain'}")
    if page is None:
        html = render_to_string(template, {**context(), "csrf_token": _TOKEN, "nav_name": _NAME}, request)
        cut = _cut(html.encode())
        plain, gzipped = _Plain(*cut), _Gzipped(*cut)
        cache.set_many({f"{key}:plain": plain, f"{key}:gzip": gzipped}, CACHE_SECONDS)
        page = gzipped if compressed else plain
    personal = {_TOKEN: get_token(request).encode(), _NAME: escape(request.user.get_full_name()).encode()}
    response = HttpResponse(page.render(personal))
    if compressed:
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


class _Shift:
    """What carrying a CRC-32 over `length` bytes does to it: zlib.crc32(data, crc) is
    shift(crc) ^ zlib.crc32(data) for any data of that length, `shift` being linear over GF(2) (the
    CRC's state multiplied by x^(8·length)). Kept as four tables of 256, one per byte of the crc:
    the images of the 32 bits, found once by running zlib over `length` zero bytes."""

    __slots__ = ("tables",)

    def __init__(self, length: int):
        zeros = bytes(length)
        base = zlib.crc32(zeros, 0)
        bits = [zlib.crc32(zeros, 1 << i) ^ base for i in range(32)]
        tables = array("I", bytes(4 * 1024))
        for byte in range(4):
            for value in range(1, 256):
                low = value & -value
                tables[byte * 256 + value] = tables[byte * 256 + (value ^ low)] ^ bits[byte * 8 + low.bit_length() - 1]
        self.tables = tables

    def __call__(self, crc: int) -> int:
        t = self.tables
        return t[crc & 255] ^ t[256 + (crc >> 8 & 255)] ^ t[512 + (crc >> 16 & 255)] ^ t[768 + (crc >> 24)]


def _cut(page: bytes) -> tuple[tuple[bytes, ...], tuple[str, ...]]:
    """The page cut at each marker: (the shared pieces between them, which marker each cut was)."""
    pieces, slots = [], []
    for part in re.split(rb"(" + _TOKEN.encode() + rb"|" + _NAME.encode() + rb")", page):
        if part in (_TOKEN.encode(), _NAME.encode()):
            slots.append(part.decode())
        else:
            pieces.append(part)
    return tuple(pieces), tuple(slots)


class _Plain:
    """A cached page as sent plain: its shared pieces, joined around each person's strings."""

    __slots__ = ("pieces", "slots")

    def __init__(self, pieces: tuple[bytes, ...], slots: tuple[str, ...]):
        self.pieces, self.slots = pieces, slots

    def render(self, personal: dict[str, bytes]) -> bytes:
        """One copy of the page, with this person's strings."""
        joined = [self.pieces[0]]
        for slot, piece in zip(self.slots, self.pieces[1:], strict=True):
            joined += (personal[slot], piece)
        return b"".join(joined)


class _Gzipped:
    """A cached page as sent gzip-compressed: the shared pieces deflated (each ended with
    Z_FULL_FLUSH), each one's CRC-32 and the shift that carries a CRC over it, the shared length.
    Cached apart from the plain page, so that a request reads back only what it sends (~1/7 of it)."""

    __slots__ = ("crcs", "deflated", "length", "shifts", "slots")

    def __init__(self, pieces: tuple[bytes, ...], slots: tuple[str, ...]):
        deflate = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
        self.deflated = tuple(deflate.compress(p) + deflate.flush(zlib.Z_FULL_FLUSH) for p in pieces)
        self.crcs = tuple(zlib.crc32(p) for p in pieces)
        self.shifts = (None, *(_Shift(len(p)) for p in pieces[1:]))  # the first starts the CRC
        self.length = sum(map(len, pieces))
        self.slots = slots

    def render(self, personal: dict[str, bytes]) -> bytes:
        """The page as one gzip member: the shared deflated pieces around this person's strings,
        each of those stored in a deflate piece of its own."""
        joined = [_GZIP_HEADER, self.deflated[0]]
        crc = self.crcs[0]
        length = self.length
        for index, slot in enumerate(self.slots, 1):
            mine = personal[slot]
            crc = zlib.crc32(mine, crc)
            crc = self.shifts[index](crc) ^ self.crcs[index]
            length += len(mine)
            joined += (_stored(mine), self.deflated[index])
        joined += (_LAST_BLOCK, struct.pack("<II", crc, length & 0xFFFFFFFF))
        return b"".join(joined)


def _stored(data: bytes) -> bytes:
    """`data` as raw deflate of its own, not compressed (level 0), ended byte-aligned (Z_FULL_FLUSH)."""
    deflate = zlib.compressobj(0, zlib.DEFLATED, -9, 1)
    return deflate.compress(data) + deflate.flush(zlib.Z_FULL_FLUSH)
