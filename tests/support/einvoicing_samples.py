"""Sample e-invoicing documents, one per kind the invoices issue lists.

Every figure is written by hand (the tax engine lives elsewhere) and follows
EN 16931: VAT per category = category taxable total x rate, rounded half-up
once per category (BR-S-09, never the sum of rounded line taxes); BT-106 is
the sum of line nets, BT-112 = BT-109 + BT-110, BT-115 = BT-112 - BT-113.
The arithmetic is spelled out beside each figure. Identifiers (VAT ids, IBANs,
RF references) have valid check digits but belong to nobody.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from payments.einvoicing.model import (
    Address,
    Buyer,
    DocumentLine,
    DocumentTax,
    InvoiceDocument,
    Seller,
)

D = Decimal

BERLIN = Address("Friedrichstraße 123", None, "10117", "Berlin", "DE")
SELLER_DE = Seller(
    name="MyComputer Berlin GmbH",
    address=BERLIN,
    vat_id="DE123456788",
    tax_registration_id="1123012345678",
    iban="DE89370400440532013000",
    bic="COBADEFFXXX",
    email="rechnung@berlin.mycomputer.example",
    phone="+49 30 1234567",
    footer="Geschäftsführer: Max Beispiel · Amtsgericht Charlottenburg HRB 123456 B",
    legal_registration_id="HRB 123456 B",
    contact_name="Buchhaltung",
)
SELLER_NL = Seller(
    name="MyComputer Nederland B.V.",
    address=Address("Damrak 1", None, "1012 LG", "Amsterdam", "NL"),
    vat_id="NL004495445B01",
    tax_registration_id=None,
    iban="NL91ABNA0417164300",
    bic="ABNANL2A",
    email="factuur@amsterdam.mycomputer.example",
    phone=None,
    footer="KvK 12345678",
    legal_registration_id="12345678",
)
SELLER_PL = Seller(
    name="MyComputer Polska sp. z o.o.",
    address=Address("ul. Marszałkowska 10", "lokal 2", "00-590", "Warszawa", "PL"),
    vat_id="PL5260250995",
    tax_registration_id=None,
    iban="PL61109010140000071219812874",
    bic="WBKPPLPP",
    email="faktury@warszawa.mycomputer.example",
    phone=None,
    footer=None,
)
SELLER_SE = Seller(
    name="MyComputer Sverige AB",
    address=Address("Drottninggatan 5", None, "111 51", "Stockholm", "SE"),
    vat_id="SE556036079301",
    tax_registration_id=None,
    iban="SE4550000000058398257466",
    bic="ESSESESS",
    email="faktura@stockholm.mycomputer.example",
    phone=None,
    footer="Godkänd för F-skatt",
)
SELLER_IT = Seller(
    name="MyComputer Italia S.r.l.",
    address=Address("Via Torino 20", None, "20123", "Milano", "IT"),
    vat_id="IT00743110157",
    tax_registration_id=None,
    iban="IT60X0542811101000000123456",
    bic="BPMOIT22XXX",
    email="fatture@milano.mycomputer.example",
    phone=None,
    footer=None,
)

BUYER_DE_BUSINESS = Buyer(
    name="Beispiel Büroservice GmbH",
    address=Address("Hauptstraße 5", "2. OG", "10827", "Berlin", "DE"),
    vat_id="DE812345673",
    email="eingangsrechnung@beispiel.example",
    buyer_reference="04011000-12345-34",
)
BUYER_DE_CONSUMER = Buyer(
    name="Erika Mustermann",
    address=Address("Heidestraße 17", None, "51147", "Köln", "DE"),
    vat_id=None,
    email=None,
    buyer_reference=None,
)
BUYER_NL_BUSINESS = Buyer(
    name="Voorbeeld B.V.",
    address=Address("Coolsingel 40", None, "3011 AD", "Rotterdam", "NL"),
    vat_id="NL123456782B01",
    email="inkoop@voorbeeld.example",
    buyer_reference=None,
)
BUYER_CH_GENEVA = Buyer(
    name="Exemple SA",
    address=Address("Rue du Rhône 8", None, "1204", "Genève", "CH"),
    vat_id="CHE-100.000.006 TVA",
    email="factures@exemple.example",
    buyer_reference=None,
)
BUYER_CH_ZURICH = Buyer(
    name="Beispiel AG",
    address=Address("Bahnhofstrasse 1", None, "8001", "Zürich", "CH"),
    vat_id="CHE-100.000.006 MWST",
    email="kreditoren@beispiel-ag.example",
    buyer_reference=None,
)
BUYER_JP = Buyer(
    name="Rei Corporation K.K.",
    address=Address("1-1 Marunouchi", "Chiyoda-ku", "100-0005", "Tokyo", "JP"),
    vat_id=None,
    email="ap@rei.example",
    buyer_reference=None,
)
BUYER_NL_CONSUMER = Buyer(
    name="Jan Jansen",
    address=Address("Prinsengracht 263", None, "1016 GV", "Amsterdam", "NL"),
    vat_id=None,
    email=None,
    buyer_reference=None,
)
BUYER_PL_CONSUMER = Buyer(
    name="Jan Kowalski",
    address=Address("ul. Długa 1", None, "31-147", "Kraków", "PL"),
    vat_id=None,
    email=None,
    buyer_reference=None,
)
BUYER_SE_BUSINESS = Buyer(
    name="Exempel AB",
    address=Address("Kungsgatan 2", None, "411 19", "Göteborg", "SE"),
    vat_id="SE556188384001",
    email=None,
    buyer_reference=None,
)
BUYER_IT_CONSUMER = Buyer(
    name="Mario Rossi",
    address=Address("Via Roma 1", None, "00184", "Roma", "IT"),
    vat_id=None,
    email=None,
    buyer_reference=None,
)


def line(
    line_id: str,
    description: str,
    quantity: str,
    unit_price: int,
    net_amount: int,
    category: str = "S",
    rate: str = "19",
    *,
    unit: str = "C62",
    discount: int = 0,
    sku: str | None = None,
) -> DocumentLine:
    return DocumentLine(
        line_id=line_id,
        description=description,
        quantity=D(quantity),
        unit_code=unit,
        unit_price=unit_price,
        discount_amount=discount,
        net_amount=net_amount,
        category_code=category,
        rate=D(rate),
        sku=sku,
    )


def tax(
    category: str,
    rate: str,
    taxable: int,
    amount: int,
    reason: str | None = None,
    code: str | None = None,
) -> DocumentTax:
    return DocumentTax(category, D(rate), taxable, amount, reason, code)


def document(**fields: object) -> InvoiceDocument:
    defaults: dict[str, object] = {
        "type_code": 380,
        "tax_point_date": None,
        "due_date": None,
        "currency": "eur",
        "prepaid_amount": 0,
        "payment_terms": None,
        "payment_reference": None,
        "notes": (),
        "preceding_invoice": None,
        "order_reference": None,
    }
    if fields.get("type_code") != 386:  # a prepayment precedes the supply
        defaults["delivery_date"] = fields.get("tax_point_date")
    return InvoiceDocument(**{**defaults, **fields})  # type: ignore[arg-type]


# Domestic B2B, 19 %, with a Leitweg-ID (so UBL declares XRechnung 3.0).
# Lines: 1.5 h x 80.00 = 120.00; SSD 89.90 - 10.00 discount = 79.90.
# S 19 %: 199.90 x 0.19 = 37.981 -> 37.98; total 237.88.
DOMESTIC_DE_19 = document(
    number="DE1-2026-000001",
    issue_date=date(2026, 3, 2),
    tax_point_date=date(2026, 2, 27),
    due_date=date(2026, 3, 16),
    language="de",
    seller=SELLER_DE,
    buyer=BUYER_DE_BUSINESS,
    lines=(
        line("1", "Reparatur Notebook (Arbeitszeit)", "1.5", 8000, 12000, unit="HUR"),
        line("2", "SSD 1 TB", "1", 8990, 7990, discount=1000, sku="SSD-1TB-NVME"),
    ),
    taxes=(tax("S", "19", 19990, 3798),),
    line_total=19990,
    tax_exclusive_total=19990,
    tax_total=3798,
    tax_inclusive_total=23788,
    payable_amount=23788,
    payment_terms="Zahlbar innerhalb von 14 Tagen ohne Abzug.",
    payment_reference="RF03DE12026000001",
    order_reference="PO-4711",
)

# Domestic B2C, reduced rate 7 % only: 2 x 12.50 = 25.00; 25.00 x 0.07 = 1.75.
REDUCED_DE_7 = document(
    number="DE1-2026-000002",
    issue_date=date(2026, 3, 2),
    tax_point_date=date(2026, 3, 2),
    language="de",
    seller=SELLER_DE,
    buyer=BUYER_DE_CONSUMER,
    lines=(line("1", "Handbuch „Laptop-Pflege“ (Buch)", "2", 1250, 2500, rate="7"),),
    taxes=(tax("S", "7", 2500, 175),),
    line_total=2500,
    tax_exclusive_total=2500,
    tax_total=175,
    tax_inclusive_total=2675,
    prepaid_amount=2675,
    payable_amount=0,
    payment_terms="Bezahlt mit Karte.",
)

# Intra-EU B2B service DE -> NL business: reverse charge (AE), 0 %.
# 3 h x 75.00 = 225.00; mainboard 149.00; total 374.00, no VAT.
REVERSE_CHARGE_DE_NL = document(
    number="DE1-2026-000003",
    issue_date=date(2026, 3, 3),
    tax_point_date=date(2026, 3, 3),
    due_date=date(2026, 4, 2),
    language="en",
    seller=SELLER_DE,
    buyer=BUYER_NL_BUSINESS,
    lines=(
        line("1", "Notebook repair (labour)", "3", 7500, 22500, "AE", "0", unit="HUR"),
        line("2", "Mainboard", "1", 14900, 14900, "AE", "0", sku="MB-X1"),
    ),
    taxes=(tax("AE", "0", 37400, 0, "Reverse charge", "VATEX-EU-AE"),),
    line_total=37400,
    tax_exclusive_total=37400,
    tax_total=0,
    tax_inclusive_total=37400,
    payable_amount=37400,
    payment_terms="Payable within 30 days.",
    payment_reference="RF03DE12026000001",
    notes=(
        "Reverse charge: VAT to be accounted for by the recipient "
        "(Article 196 of Council Directive 2006/112/EC).",
    ),
)

# Export of goods DE -> CH business (G), French: 2 x 120.00 + 1 x 60.00 = 300.00.
EXPORT_GOODS_DE_CH = document(
    number="DE1-2026-000004",
    issue_date=date(2026, 3, 4),
    tax_point_date=date(2026, 3, 4),
    due_date=date(2026, 4, 3),
    language="fr",
    seller=SELLER_DE,
    buyer=BUYER_CH_GENEVA,
    lines=(
        line("1", "Bloc d'alimentation 90 W", "2", 12000, 24000, "G", "0"),
        line("2", "Clavier AZERTY (Suisse)", "1", 6000, 6000, "G", "0"),
    ),
    taxes=(tax("G", "0", 30000, 0, "Exportation hors UE", "VATEX-EU-G"),),
    line_total=30000,
    tax_exclusive_total=30000,
    tax_total=0,
    tax_inclusive_total=30000,
    payable_amount=30000,
    payment_terms="Payable sous 30 jours.",
)

# Services DE -> CH business: not taxable in Germany (O). EN 16931 allows no
# other category beside O (BR-O-11..14) and no VAT ids (BR-O-02; the renderer
# leaves them out of the XML). 2 h x 90.00 = 180.00.
EXPORT_SERVICES_DE_CH = document(
    number="DE1-2026-000005",
    issue_date=date(2026, 3, 4),
    tax_point_date=date(2026, 3, 4),
    due_date=date(2026, 4, 3),
    language="de",
    seller=SELLER_DE,
    buyer=BUYER_CH_ZURICH,
    lines=(line("1", "Datenrettung (Arbeitszeit)", "2", 9000, 18000, "O", "0", unit="HUR"),),
    taxes=(tax("O", "0", 18000, 0, "Nicht im Inland steuerbare Leistung", "VATEX-EU-O"),),
    line_total=18000,
    tax_exclusive_total=18000,
    tax_total=0,
    tax_inclusive_total=18000,
    payable_amount=18000,
    payment_terms="Zahlbar innerhalb von 30 Tagen.",
    notes=("Leistungsort nach § 3a Abs. 2 UStG in der Schweiz; nicht im Inland steuerbar.",),
)

# Goods (G) and services (O) to CH on ONE document: EN 16931 refuses it (BR-O-11).
EXPORT_GOODS_AND_SERVICES_DE_CH = document(
    number="DE1-2026-000006",
    issue_date=date(2026, 3, 4),
    tax_point_date=date(2026, 3, 4),
    due_date=date(2026, 4, 3),
    language="de",
    seller=SELLER_DE,
    buyer=BUYER_CH_ZURICH,
    lines=(
        line("1", "Netzteil 90 W", "1", 12000, 12000, "G", "0"),
        line("2", "Einbau (Arbeitszeit)", "1", 9000, 9000, "O", "0", unit="HUR"),
    ),
    taxes=(
        tax("G", "0", 12000, 0, "Ausfuhrlieferung", "VATEX-EU-G"),
        tax("O", "0", 9000, 0, "Nicht im Inland steuerbare Leistung", "VATEX-EU-O"),
    ),
    line_total=21000,
    tax_exclusive_total=21000,
    tax_total=0,
    tax_inclusive_total=21000,
    payable_amount=21000,
    payment_terms="Zahlbar innerhalb von 30 Tagen.",
)

# A standard line and an exempt line (E, insurance brokerage, with its reason).
# S 19 %: 1 x 59.00 = 59.00 x 0.19 = 11.21; E: 1 x 39.00, no VAT. Total 109.21.
EXEMPT_LINE_DE = document(
    number="DE1-2026-000007",
    issue_date=date(2026, 3, 5),
    tax_point_date=date(2026, 3, 5),
    due_date=date(2026, 3, 19),
    language="de",
    seller=SELLER_DE,
    buyer=BUYER_DE_CONSUMER,
    lines=(
        line("1", "Displaytausch Smartphone (Arbeitszeit)", "1", 5900, 5900),
        line("2", "Vermittlung Geräteversicherung (12 Monate)", "1", 3900, 3900, "E", "0"),
    ),
    taxes=(
        tax("S", "19", 5900, 1121),
        tax(
            "E",
            "0",
            3900,
            0,
            "Steuerfreie Versicherungsvermittlung nach § 4 Nr. 11 UStG",
            "VATEX-EU-135-1",
        ),
    ),
    line_total=9800,
    tax_exclusive_total=9800,
    tax_total=1121,
    tax_inclusive_total=10921,
    payable_amount=10921,
    payment_terms="Zahlbar innerhalb von 14 Tagen.",
    payment_reference="RF422026000001",
)

# Credit note 381 for the SSD of DOMESTIC_DE_19 (returned under warranty).
# Positive amounts: 79.90 x 0.19 = 15.181 -> 15.18; total 95.08, refunded.
CREDIT_NOTE_DE = document(
    type_code=381,
    number="DE1-GS-2026-000001",
    issue_date=date(2026, 3, 20),
    tax_point_date=date(2026, 2, 27),
    language="de",
    seller=SELLER_DE,
    buyer=BUYER_DE_BUSINESS,
    lines=(line("1", "SSD 1 TB (Rückgabe, Gewährleistung)", "1", 7990, 7990, sku="SSD-1TB-NVME"),),
    taxes=(tax("S", "19", 7990, 1518),),
    line_total=7990,
    tax_exclusive_total=7990,
    tax_total=1518,
    tax_inclusive_total=9508,
    payable_amount=9508,
    payment_terms="Der Betrag wird auf das Zahlungsmittel der Rechnung erstattet.",
    preceding_invoice=("DE1-2026-000001", date(2026, 3, 2)),
)

# Mixed rates, rounded per category, not per line:
# S 19 %: 2 h x 65.00 + 12.60 + 8.60 + 3.60 = 154.80 x 0.19 = 29.412 -> 29.41
#   (per line it would be 24.70 + 2.39 + 1.63 + 0.68 = 29.40: one cent less);
# S 7 %: book 14.95 x 0.07 = 1.0465 -> 1.05. Net 169.75, VAT 30.46, total 200.21.
MIXED_RATES_DE = document(
    number="DE1-2026-000008",
    issue_date=date(2026, 3, 6),
    tax_point_date=date(2026, 3, 6),
    due_date=date(2026, 3, 20),
    language="de",
    seller=SELLER_DE,
    buyer=BUYER_DE_BUSINESS,
    lines=(
        line("1", "Einrichtung Arbeitsplatz (Arbeitszeit)", "2", 6500, 13000, unit="HUR"),
        line("2", "USB-C-Kabel 2 m", "1", 1260, 1260),
        line("3", "HDMI-Adapter", "1", 860, 860),
        line("4", "Schraubensatz", "1", 360, 360),
        line("5", "Fachbuch Netzwerktechnik", "1", 1495, 1495, rate="7"),
    ),
    taxes=(tax("S", "19", 15480, 2941), tax("S", "7", 1495, 105)),
    line_total=16975,
    tax_exclusive_total=16975,
    tax_total=3046,
    tax_inclusive_total=20021,
    payable_amount=20021,
    payment_terms="Zahlbar innerhalb von 14 Tagen.",
)

# Consumer gross prices (NL, 21 %) resolved to net by the tax engine:
# gross 99.00 + 49.99 = 148.99; net = 148.99 / 1.21 = 123.13 (81.82 + 41.31);
# VAT = 123.13 x 0.21 = 25.8573 -> 25.86; 123.13 + 25.86 = 148.99 as displayed.
INCLUSIVE_NL = document(
    number="NL1-2026-000001",
    issue_date=date(2026, 3, 7),
    tax_point_date=date(2026, 3, 7),
    language="nl",
    seller=SELLER_NL,
    buyer=BUYER_NL_CONSUMER,
    lines=(
        line("1", "Reparatie laptopscherm", "1", 8182, 8182, rate="21"),
        line("2", "Laptoplader 65 W", "1", 4131, 4131, rate="21"),
    ),
    taxes=(tax("S", "21", 12313, 2586),),
    line_total=12313,
    tax_exclusive_total=12313,
    tax_total=2586,
    tax_inclusive_total=14899,
    prepaid_amount=14899,
    payable_amount=0,
    payment_terms="Betaald met pinpas.",
)

# Swedish kronor, 25 %: 2 h x 450.00 + 1 x 1299.00 = 2199.00 -> VAT 549.75.
SEK_SE = document(
    number="SE1-2026-000001",
    issue_date=date(2026, 3, 9),
    tax_point_date=date(2026, 3, 9),
    due_date=date(2026, 4, 8),
    currency="sek",
    language="sv",
    seller=SELLER_SE,
    buyer=BUYER_SE_BUSINESS,
    lines=(
        line("1", "Felsökning dator (arbetstid)", "2", 45000, 90000, rate="25", unit="HUR"),
        line("2", "Nätaggregat 650 W", "1", 129900, 129900, rate="25"),
    ),
    taxes=(tax("S", "25", 219900, 54975),),
    line_total=219900,
    tax_exclusive_total=219900,
    tax_total=54975,
    tax_inclusive_total=274875,
    payable_amount=274875,
    payment_terms="Betalning inom 30 dagar.",
)

# Japanese yen (no minor unit), export of goods DE -> JP: 2 x 12,800 = 25,600.
JPY_EXPORT = document(
    number="DE1-2026-000009",
    issue_date=date(2026, 3, 10),
    tax_point_date=date(2026, 3, 10),
    due_date=date(2026, 4, 9),
    currency="jpy",
    language="en",
    seller=SELLER_DE,
    buyer=BUYER_JP,
    lines=(line("1", "Replacement keyboard (JIS)", "2", 12800, 25600, "G", "0"),),
    taxes=(tax("G", "0", 25600, 0, "Export outside the EU", "VATEX-EU-G"),),
    line_total=25600,
    tax_exclusive_total=25600,
    tax_total=0,
    tax_inclusive_total=25600,
    payable_amount=25600,
    payment_terms="Payable within 30 days.",
)

# A deposit already paid (PL, 23 %): 250.00 + 120.00 = 370.00 -> VAT 85.10;
# total 455.10, prepaid 100.00, due 355.10.
PREPAID_PL = document(
    number="PL1-2026-000001",
    issue_date=date(2026, 3, 11),
    tax_point_date=date(2026, 3, 11),
    due_date=date(2026, 3, 25),
    currency="pln",
    language="pl",
    seller=SELLER_PL,
    buyer=BUYER_PL_CONSUMER,
    lines=(
        line("1", "Naprawa płyty głównej (robocizna)", "1", 25000, 25000, rate="23"),
        line("2", "Wentylator procesora", "1", 12000, 12000, rate="23"),
    ),
    taxes=(tax("S", "23", 37000, 8510),),
    line_total=37000,
    tax_exclusive_total=37000,
    tax_total=8510,
    tax_inclusive_total=45510,
    prepaid_amount=10000,
    payable_amount=35510,
    payment_terms="Płatne w ciągu 14 dni.",
)

# Prepayment invoice 386 (IT, 22 %) for a 100.00 deposit: net 81.97,
# VAT 81.97 x 0.22 = 18.0334 -> 18.03; total 100.00.
PREPAYMENT_IT = document(
    type_code=386,
    number="IT1-2026-000001",
    issue_date=date(2026, 3, 12),
    tax_point_date=date(2026, 3, 12),
    due_date=date(2026, 3, 12),
    language="it",
    seller=SELLER_IT,
    buyer=BUYER_IT_CONSUMER,
    lines=(line("1", "Acconto riparazione notebook", "1", 8197, 8197, rate="22"),),
    taxes=(tax("S", "22", 8197, 1803),),
    line_total=8197,
    tax_exclusive_total=8197,
    tax_total=1803,
    tax_inclusive_total=10000,
    payable_amount=10000,
    payment_terms="Pagamento alla consegna dell'apparecchio.",
    payment_reference="RF422026000001",
)

#: Documents that must pass the XSD and every non-warning Schematron rule.
VALID_SAMPLES: dict[str, InvoiceDocument] = {
    "domestic_de_19": DOMESTIC_DE_19,
    "reduced_de_7": REDUCED_DE_7,
    "reverse_charge_de_nl": REVERSE_CHARGE_DE_NL,
    "export_goods_de_ch": EXPORT_GOODS_DE_CH,
    "export_services_de_ch": EXPORT_SERVICES_DE_CH,
    "exempt_line_de": EXEMPT_LINE_DE,
    "credit_note_de": CREDIT_NOTE_DE,
    "mixed_rates_de": MIXED_RATES_DE,
    "inclusive_nl": INCLUSIVE_NL,
    "sek_se": SEK_SE,
    "jpy_export": JPY_EXPORT,
    "prepaid_pl": PREPAID_PL,
    "prepayment_it": PREPAYMENT_IT,
}
