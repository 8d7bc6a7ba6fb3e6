"""Test support: fakes registered like real parts, fake servers, loopback and process helpers."""
