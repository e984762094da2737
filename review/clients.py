"""Who is asking: the address a request came from, as the sign-in throttle and the audit log see it.

By default it is the socket's peer. Behind reverse proxies the peer is the nearest proxy, the same for
everyone, so REVIEW_TRUSTED_PROXIES says how many proxies in front each add the address they were
reached from to X-Forwarded-For; the client's address is then the entry the outermost of them added
(Sanic's PROXIES_COUNT, which create_app sets). Without that setting the header is never read: anyone
can send one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sanic.request import Request

from review.settings import Settings

# the audit log's column
MAX_ADDRESS_CHARACTERS = 64


@dataclass(frozen=True)
class Client:
    address: str
    # False when the address is a proxy's, shared by everyone behind it: a limit on it would hold them all
    own_address: bool


def client_of(request: Request, settings: Settings) -> Client:
    if settings.trusted_proxies:
        # Sanic's reading of the trusted entry; empty when the header is missing or too short, and then the
        # peer is a proxy that passed none on
        forwarded = request.remote_addr
        if forwarded:
            return Client(forwarded[:MAX_ADDRESS_CHARACTERS], own_address=True)
        return Client(request.ip[:MAX_ADDRESS_CHARACTERS], own_address=False)
    # REVIEW_HTTPS means a proxy in front: without its header, every request comes from that proxy
    return Client(request.ip[:MAX_ADDRESS_CHARACTERS], own_address=not settings.https)
