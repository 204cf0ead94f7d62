"""E-invoicing documents: EN 16931 invoices and credit notes as CII and UBL XML,
validated with the official Schematron, and as PDF/A-3 with embedded Factur-X.

Pure rendering and validation: no database, no web framework. The invoices
capability maps its invoices to :class:`~payments.einvoicing.model.InvoiceDocument`.
"""
