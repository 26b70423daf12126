"""A loopback OpenID Connect provider shaped like FranceConnect v2, for the FranceConnect tests."""
