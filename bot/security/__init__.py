"""Security primitives: rate limits, signed widget sessions, secret files."""
