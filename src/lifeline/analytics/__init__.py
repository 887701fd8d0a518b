"""KPIs and reports: pure formulas (`kpis`), the queries that feed them (`service`), and their API (`views`)."""
