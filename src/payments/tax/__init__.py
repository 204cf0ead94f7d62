"""Tax: EU VAT (plus CH, NO, GB) for invoices, and VAT id checks.

``tax.domain`` is the framework-free engine (rates data file, rules, EN 16931 rounding,
VAT id normalisation, legal notes); ``tax.checker`` is the VAT id check port with its
offline default, ``tax.adapters.vies`` its HTTP adapter for the EU VIES REST API.
"""
