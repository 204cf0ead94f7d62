"""Bank transfers matched from statements: ISO 20022 camt.053 statements and camt.054
notifications imported, each credit matched to the open invoice it pays (RF creditor
reference, then invoice number in the remittance text, then exact amount and payer
name) and applied to it as an offline payment; the rest waits in a manual queue."""
