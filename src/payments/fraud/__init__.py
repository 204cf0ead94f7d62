"""Fraud prevention: an explainable risk score on every charge, rules in a small safe
language, value lists (Radar's shapes), velocity counters (database or Redis) and the
review queue for held payments."""
