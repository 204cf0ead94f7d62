"""Financial reports: summaries for dashboards, VAT and receivables, in a reporting
currency at ECB rates (see docs/how-to/generate-reports.md)."""
