"""GDPR: a data subject's export (Art. 15, 20) and erasure (Art. 17) of a customer, and
the retention job that pseudonymises what the law kept until its retention ended."""
