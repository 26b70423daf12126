"""« FranceConnect de démonstration »: a local OpenID Connect provider shaped like FranceConnect v2.

``make demo`` runs it on http://127.0.0.1:8001 (``python -m franceconnect_demo``) so that the
« S'identifier avec FranceConnect » button works without internet nor a client id from FranceConnect:
the person chooses one of a few fictitious identities on a French page. The tests use the same
provider (:class:`franceconnect_demo.server.OIDCProvider`), auto-approving and made to misbehave at will.

A development tool, not part of the product: it needs the dev dependencies (authlib, flask)."""
