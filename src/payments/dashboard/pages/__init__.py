"""The dashboard's page routers (HTML), one module per area."""
