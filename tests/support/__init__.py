"""Test support: real databases, real servers, clocks. No mocks of our own code."""
