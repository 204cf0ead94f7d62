"""The counter receipt as HTML and PDF, sized for an 80 mm receipt printer.

The page is 80 mm wide (``@page { size: 80mm auto }``: one long page, as a roll
printer prints); WeasyPrint lays the same HTML out as PDF. Nothing is fetched: the
URL fetcher allows inline ``data:`` URIs only, and the fonts are the system's.
"""

from __future__ import annotations

from jinja2 import Environment, select_autoescape
from weasyprint import HTML, URLFetcher

from payments.kernel.money import Money
from payments.terminal.domain import READ_METHODS, VERIFICATIONS, Receipt

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Receipt {{ r.charge_id }}</title>
<style>
  @page { size: 80mm 297mm; margin: 4mm 3mm; }
  body { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; width: 74mm;
         margin: 0 auto; color: #000; }
  h1 { font-size: 10pt; text-align: center; margin: 0 0 1mm; }
  .center { text-align: center; }
  .row { display: flex; justify-content: space-between; }
  table { width: 100%; border-collapse: collapse; }
  td { padding: 0.3mm 0; vertical-align: top; }
  td.r { text-align: right; }
  .total { font-size: 11pt; font-weight: bold; }
  hr { border: 0; border-top: 1px dashed #000; margin: 2mm 0; }
  .status { font-weight: bold; text-align: center; font-size: 10pt; }
</style>
</head>
<body>
  <h1>{{ r.merchant_name }}</h1>
  <div class="center">
    {% for line in r.merchant_address %}<div>{{ line }}</div>{% endfor %}
    {% if r.vat_id %}<div>VAT ID: {{ r.vat_id }}</div>{% endif %}
    <div>{{ r.shop_name }}</div>
  </div>
  <hr>
  <table>
    <tr><td>Date</td><td class="r">{{ r.when.strftime("%Y-%m-%d") }}</td></tr>
    <tr><td>Time</td><td class="r">{{ r.when.strftime("%H:%M:%S %Z") }}</td></tr>
    <tr><td>Transaction</td><td class="r">{{ r.transaction }}</td></tr>
    {% if r.invoice_number %}<tr><td>Invoice</td><td class="r">{{ r.invoice_number }}</td></tr>{% endif %}
    <tr><td>Reference</td><td class="r">{{ r.charge_id }}</td></tr>
  </table>
  <hr>
  <table>
    <tr class="total"><td>AMOUNT</td><td class="r">{{ amount }}</td></tr>
    {% if r.amount_refunded %}<tr><td>Refunded</td><td class="r">{{ refunded }}</td></tr>{% endif %}
  </table>
  {% if vat %}
  <hr>
  <table>
    <tr><td>VAT</td><td class="r">Net</td><td class="r">Tax</td></tr>
    {% for v in vat %}
    <tr><td>{{ v.rate }} %</td><td class="r">{{ v.net }}</td><td class="r">{{ v.tax }}</td></tr>
    {% endfor %}
  </table>
  {% endif %}
  <hr>
  <table>
    <tr><td>Card</td><td class="r">{{ (r.brand or "").upper() }} **** {{ r.last4 }}</td></tr>
    <tr><td>Entry</td><td class="r">{{ read_method }}</td></tr>
    {% if r.account_type %}<tr><td>Account</td><td class="r">{{ r.account_type }}</td></tr>{% endif %}
    <tr><td>Application</td><td class="r">{{ r.application_name or "" }}</td></tr>
    <tr><td>AID</td><td class="r">{{ r.application_id or "" }}</td></tr>
    <tr><td>Auth. code</td><td class="r">{{ r.authorization_code or "" }}</td></tr>
    {% if verification %}<tr><td>Verification</td><td class="r">{{ verification }}</td></tr>{% endif %}
  </table>
  <hr>
  <div class="status">{{ "APPROVED" if r.approved else "DECLINED" }}</div>
  <div class="center">Please keep this receipt.</div>
</body>
</html>
"""

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_COMPILED = _ENV.from_string(_TEMPLATE)


def receipt_html(receipt: Receipt) -> str:
    def money(amount: int) -> str:
        return Money(amount, receipt.currency).format()

    return _COMPILED.render(
        r=receipt,
        amount=money(receipt.amount),
        refunded=money(receipt.amount_refunded),
        read_method=READ_METHODS.get(receipt.read_method or "", receipt.read_method or ""),
        verification=VERIFICATIONS.get(receipt.verification or "", receipt.verification),
        vat=[
            {"rate": v.rate, "net": money(v.taxable_amount), "tax": money(v.amount)}
            for v in receipt.vat_lines
        ],
    )


def receipt_pdf(receipt: Receipt) -> bytes:
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    pdf = HTML(string=receipt_html(receipt), url_fetcher=fetcher).write_pdf()
    return bytes(pdf or b"")
