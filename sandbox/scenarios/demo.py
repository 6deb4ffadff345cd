"""What the `demo` scenario (scenarios/demo.yaml) holds that the API documentation's examples
name: each example, sent as is to an espace holding `demo`, is accepted
(tests/api/test_examples.py sends every one of them)."""

DATE = "2026-09-01"  # the scenario's clock
OPCO = "akto"
ESPACE = "default"
# The software vendor (`logiciels`) and the first CFA, its key at AKTO.
EDITEUR, CLIENT_ID, CLIENT_SECRET = "ACME", "acme-cfa", "acme-secret-demo"
CFA_SIRET, CFA_UAI, CFA_IBAN = "79012345900014", "0751234A", "FR7630006000011234567890189"
CFA_KEY = "demo-akto-key"
EMPLOYEUR_SIRET, EMPLOYEUR = "52345678800018", "Boulangerie Martin"
# The engaged dossier the CFA transmitted: its E1 (€2,800) opens on the clock's date.
ENGAGE_INTERNE, ENGAGE_EXTERNE, ENGAGE_DECA = "DEMO-0001", "AKTO-2026-000001", "075202609000001"
# The dossier the employer deposited, which the CFA pairs.
DEPOT_EXTERNE = "AKTO-2026-000002"
# What the first invoice and the first file received in an espace are numbered.
PREMIERE_FACTURE, PREMIER_DOCUMENT = "10000001", "20000001"
