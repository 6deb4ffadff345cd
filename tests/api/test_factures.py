"""Invoices in production's shape: `POST /v1/factures` as multipart (`facture` JSON and a
PDF `fichier`), the rejection rules, rejected invoices kept, the answers, payment, and the
OPCO's decisions through the control API (§4, §9, §10, §13).

The demo's clock is 2026-09-01; its dossier AKTO-2026-000001 is engaged: E1 €2,800 opens on
2026-09-01, E2 €2,100 on 2027-03-01; RESTAURATION frais are engaged for €300.
"""

import copy
import hashlib
import json
from typing import Any

import httpx
import pytest

from sandbox.pytest_plugin import OpcoSandbox
from sandbox.scenarios.loader import resolve
from tests.builders import (
    CFA_IBAN,
    CFA_SIRET,
    DEMO_DOSSIER,
    EMPLOYER_SIRET,
    NIRS,
    OTHER_CFA_IBAN,
    OTHER_CFA_SIRET,
    PDF,
    assert_error_shape,
    facture,
    frais,
    invoice_parts,
    ligne,
    problems,
    transmission,
    without,
)

# Contract §9, word for word: a changed message must fail here.
MESSAGES = {
    "FACTURE_DEJA_CONNUE": "La facture est déjà connue de notre système",
    "IBAN_DIFFERENT": "L'IBAN de l'émetteur est différent de celui connu dans l'échéance",
    "FRAIS_ANNEXES_PLAFOND": "Le montant des frais annexes excède le plafond ou le montant engagé",
    "IBAN_ABSENT": "L'IBAN de l'émetteur (CFA) n'est pas renseigné",
    "MONTANT_ECHEANCE_INCORRECT": "Le montant de l'échéance ne correspond pas au montant attendu",
    "SIRET_EMETTEUR_INCONNU": "Le SIRET de l'émetteur est inconnu de l'OPCO",
    "SIRET_DIFFERENT": "Le SIRET associé à la facture est différent du SIRET de l'échéance",
    "NUMERO_EXTERNE_ABSENT": "Le numéro externe du dossier doit être renseigné",
    "ECHEANCE_NON_OUVERTE": "L'échéance n'est pas ouverte à la facturation",
    "MONTANT_INCORRECT": "Le montant ne correspond pas au montant attendu",
    "MONTANT_TOTAL_INCOHERENT": (
        "Le montant total de la facture doit correspondre à la somme des montants des lignes"
    ),
    "NUMERO_ECHEANCE_INCONNU": "Le numéro d'échéance est inconnu",
    "DOSSIER_INCONNU": "Le dossier est inconnu",
    "DOSSIER_NON_FACTURABLE": "Le dossier n'est pas facturable",
}
# Contract §4: production's keys, then the sandbox's.
FACTURE_FIELDS = {
    "numeroInterneFacture",
    "referenceFactureCFA",
    "montantFacture",
    "etatFacture",
    "referenceVirement",
    "dateReglement",
    "commentaire",
    "organismeFormation",
    "dossiers",
    "dateEmission",
    "estCertificatRealisation",
    "lignes",
    "numeroInterneDocument",
    "motifsRejet",
}
EMPLOYER_DEPOSIT = "AKTO-2026-000002"  # demo: TRANSMIS, CFA Demo's
UNKNOWN_DOSSIER = "AKTO-2026-999999"
AMOUNT = "facture.lignes[0].montant"
NUMERO_ECHEANCE = "facture.lignes[0].numeroEcheance"
NUMERO_DOSSIER = "facture.lignes[0].numeroDossier"
IBAN = "facture.ibanEmetteur"
SIRET = "facture.siretEmetteur"


# Builders and helpers


def demo(akto: dict[str, Any] | None = None, **dossier: Any) -> dict[str, Any]:
    """The demo scenario, its akto profile replaced, its engaged dossier's keys replaced."""
    document = copy.deepcopy(resolve("demo").document)
    if akto is not None:
        document["opcos"]["akto"] = akto
    document["dossiers"][0] |= dossier
    return document


def with_apprenti(**fields: Any) -> dict[str, Any]:
    """The demo, its engaged dossier's apprentice changed."""
    document = demo()
    document["dossiers"][0]["cerfa"]["apprenti"] |= fields
    return document


def send(
    sandbox: OpcoSandbox,
    body: Any,
    cfa: str | None = None,
    opco: str = "akto",
    pdf: bytes | None = PDF,
) -> httpx.Response:
    return sandbox.client(opco, cfa=cfa).post("/v1/factures", **invoice_parts(body, pdf))


def accept(sandbox: OpcoSandbox, body: dict[str, Any], cfa: str | None = None) -> str:
    """Send an invoice that must be accepted; its numeroInterneFacture."""
    response = send(sandbox, body, cfa=cfa)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer) == {"numeroInterneFacture", "numeroInterneDocument", "etatFacture"}
    assert answer["etatFacture"] == "EN_COURS_INSTRUCTION"
    assert len(answer["numeroInterneFacture"]) == 8
    assert answer["numeroInterneFacture"].isdigit()
    numero: str = answer["numeroInterneFacture"]
    return numero


def rejection(response: httpx.Response) -> dict[str, str | None]:
    """`{code: champ}` of a 400 rejection, once each description is checked against §9, each
    rule found reported once, and the rejected invoice's number found beside `errors`."""
    assert response.status_code == 400, response.text
    body = response.json()
    # A resend of a known invoice keeps nothing: no number to give.
    known = any(item["code"] == "FACTURE_DEJA_CONNUE" for item in body["errors"])
    assert set(body) == {"errors"} | (set() if known else {"numeroInterneFacture"}), body
    assert_error_shape({"errors": body["errors"]})
    for item in body["errors"]:
        assert item["description"] == MESSAGES[item["code"]], item
    found = [(item["code"], item["champ"]) for item in body["errors"]]
    assert len({code for code, _ in found}) == len(found), found
    return dict(found)


def refused_for_form(response: httpx.Response) -> list[tuple[str, str | None]]:
    """A refusal of form (schema, content type, fichier): the error shape alone, nothing
    judged, no invoice number."""
    return problems(response, 400)


def rejected_number(response: httpx.Response) -> str:
    numero: str = response.json()["numeroInterneFacture"]
    return numero


def read(sandbox: OpcoSandbox, cfa: str | None = None, **params: str) -> httpx.Response:
    return sandbox.client("akto", cfa=cfa).get("/v1/factures", params=params)


def invoice(sandbox: OpcoSandbox, numero: str) -> dict[str, Any]:
    """The invoice of that numeroInterneFacture."""
    response = read(sandbox, numeroInterneFacture=numero)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    assert set(found) == FACTURE_FIELDS
    return found


def page(sandbox: OpcoSandbox, cfa: str | None = None, **params: int) -> httpx.Response:
    return sandbox.client("akto", cfa=cfa).get("/v2/factures/etats", params=params)


def total(sandbox: OpcoSandbox) -> int:
    count: int = page(sandbox).json()["total"]
    return count


def dossier(sandbox: OpcoSandbox, numero_interne: str = "DEMO-0001") -> dict[str, Any]:
    response = sandbox.client("akto").get("/v1/dossiers", params={"numeroInterne": numero_interne})
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def echeance(sandbox: OpcoSandbox, numero: int = 1) -> dict[str, Any]:
    """An échéance of the demo's engaged dossier."""
    found: dict[str, Any] = dossier(sandbox)["echeances"][numero - 1]
    return found


def in_instruction_and_paid(sandbox: OpcoSandbox, numero: int = 1) -> tuple[float, float]:
    found = echeance(sandbox, numero)
    return found["montantEnCoursInstruction"], found["montantRegle"]


def decide(
    sandbox: OpcoSandbox, numero: str, decision: str, motif: str | None = None
) -> httpx.Response:
    body = {"etat": decision} | ({"motif": motif} if motif else {})
    return sandbox.control.post(f"/akto/factures/{numero}/etat", json=body)


def set_clock(sandbox: OpcoSandbox, day: str) -> None:
    sandbox.control.post("/horloge", json={"date": day}).raise_for_status()


def force(sandbox: OpcoSandbox, numero_externe: str, state: str) -> None:
    path = f"/akto/dossiers/{numero_externe}/etat"
    sandbox.control.post(path, json={"etat": state}).raise_for_status()


# One valid invoice


def test_valid_invoice_is_200_en_cours_instruction(opco_sandbox: OpcoSandbox) -> None:
    response = send(opco_sandbox, facture(numero="F-1"))
    assert response.status_code == 200
    answer = response.json()
    assert answer == {
        "numeroInterneFacture": "10000001",
        "numeroInterneDocument": answer["numeroInterneDocument"],
        "etatFacture": "EN_COURS_INSTRUCTION",
    }
    assert answer["numeroInterneDocument"]


def test_invoice_numbers_follow_a_sequence_per_opco(opco_sandbox: OpcoSandbox) -> None:
    first = accept(opco_sandbox, facture(frais(100), numero="F-1"))
    second = accept(opco_sandbox, facture(frais(100), numero="F-2"))
    assert (first, second) == ("10000001", "10000002")


def test_accepted_invoice_is_read_back_in_productions_shape(opco_sandbox: OpcoSandbox) -> None:
    sent = facture(ligne(), frais(100, quantite=100, commentaire="repas"), numero="F-1")
    sent["estCertificatRealisation"] = True
    response = send(opco_sandbox, sent)
    numero = response.json()["numeroInterneFacture"]
    assert invoice(opco_sandbox, numero) == {
        "numeroInterneFacture": numero,
        "referenceFactureCFA": "F-1",
        "montantFacture": 2900.0,
        "etatFacture": "EN_COURS_INSTRUCTION",
        "referenceVirement": None,
        "dateReglement": None,
        "commentaire": None,
        "organismeFormation": {"siret": CFA_SIRET, "IBAN": CFA_IBAN},
        "dossiers": [
            {
                "numeroInterneDossier": "DEMO-0001",
                "numeroExterneDossier": DEMO_DOSSIER,
                "montant": 2900.0,
            }
        ],
        "dateEmission": "2026-09-01",
        "estCertificatRealisation": True,
        "lignes": sent["lignes"],
        "numeroInterneDocument": response.json()["numeroInterneDocument"],
        "motifsRejet": [],
    }


def test_dossiers_of_an_invoice_are_summed_per_dossier(opco_sandbox: OpcoSandbox) -> None:
    body = facture(ligne(), ligne(dossier=UNKNOWN_DOSSIER, montant=10), frais(5))
    numero = rejected_number(send(opco_sandbox, body))
    assert invoice(opco_sandbox, numero)["dossiers"] == [
        {
            "numeroInterneDossier": "DEMO-0001",
            "numeroExterneDossier": DEMO_DOSSIER,
            "montant": 2805.0,
        },
        {"numeroInterneDossier": None, "numeroExterneDossier": UNKNOWN_DOSSIER, "montant": 10.0},
    ]


def test_invoice_is_read_by_its_reference_too(opco_sandbox: OpcoSandbox) -> None:
    numero = accept(opco_sandbox, facture(numero="F-1"))
    response = read(opco_sandbox, referenceFactureCFA="F-1")
    assert response.status_code == 200, response.text
    assert response.json() == invoice(opco_sandbox, numero)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"numeroInterneFacture": "10000001", "referenceFactureCFA": "F-1"},
        {"numeroInterneFacture": ""},
    ],
)
def test_invoice_is_read_by_exactly_one_number(
    opco_sandbox: OpcoSandbox, params: dict[str, str]
) -> None:
    accept(opco_sandbox, facture(numero="F-1"))
    [(code, _)] = problems(read(opco_sandbox, **params), 400)
    assert code == "CHAMP_OBLIGATOIRE"


def test_iban_compares_without_spaces_nor_case(opco_sandbox: OpcoSandbox) -> None:
    accept(opco_sandbox, facture(ibanEmetteur=" fr76 3000 6000 0112 3456 7890 189"))


def test_without_numero_the_opco_assigns_the_reference(opco_sandbox: OpcoSandbox) -> None:
    first = accept(opco_sandbox, without(facture(frais(100)), "numero"))
    second = accept(opco_sandbox, facture(frais(100), numero=""))
    assert invoice(opco_sandbox, first)["referenceFactureCFA"] == first
    assert invoice(opco_sandbox, second)["referenceFactureCFA"] == second


# Inputs as production sends them (§4)


def test_numbers_as_strings_and_dates_with_offsets_are_accepted(opco_sandbox: OpcoSandbox) -> None:
    line = ligne("2800.00", numero_echeance="1", quantite="1", codificationEcheance="E1")  # type: ignore[arg-type]
    body = facture(line, montantTotal="2800.00", estCertificatRealisation="true")
    body["dateEmission"] = "2026-09-01T10:30:00.123+0000"
    numero = accept(opco_sandbox, body)
    found = invoice(opco_sandbox, numero)
    assert (found["dateEmission"], found["montantFacture"]) == ("2026-09-01", 2800.0)
    assert found["estCertificatRealisation"] is True


@pytest.mark.parametrize("suffix", ["T00:00:00+0000", "T00:00:00+00:00", "T00:00:00Z", ""])
def test_date_emission_is_the_day_as_written(opco_sandbox: OpcoSandbox, suffix: str) -> None:
    numero = accept(opco_sandbox, facture(dateEmission="2026-09-01" + suffix))
    assert invoice(opco_sandbox, numero)["dateEmission"] == "2026-09-01"


def test_codification_echeance_may_be_a_number(opco_sandbox: OpcoSandbox) -> None:
    accept(opco_sandbox, facture(ligne(codificationEcheance=1)))


def test_the_dossiers_own_deca_is_accepted(opco_sandbox: OpcoSandbox) -> None:
    deca = dossier(opco_sandbox)["cerfa"]["numeroDeca"]
    accept(opco_sandbox, facture(ligne(numeroDeca=deca)))


# The multipart body and its `fichier` (§9): refused for its form, an invoice is not kept


def test_a_json_body_is_refused_naming_the_multipart_form(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.client("akto").post("/v1/factures", json=facture())
    assert refused_for_form(response) == [("FORMAT_INVALIDE", None)]
    assert "multipart/form-data" in response.json()["errors"][0]["description"]
    assert total(opco_sandbox) == 0


def test_an_empty_body_is_refused_naming_the_multipart_form(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.client("akto").post("/v1/factures")
    assert refused_for_form(response) == [("FORMAT_INVALIDE", None)]
    assert "multipart/form-data" in response.json()["errors"][0]["description"]


def test_the_facture_part_is_required(opco_sandbox: OpcoSandbox) -> None:
    files = {"fichier": ("facture.pdf", PDF, "application/pdf")}
    response = opco_sandbox.client("akto").post("/v1/factures", files=files)
    assert refused_for_form(response) == [("CHAMP_OBLIGATOIRE", "facture")]


def test_the_facture_part_may_be_a_json_file(opco_sandbox: OpcoSandbox) -> None:
    # As `curl -F facture=@facture.json` sends it.
    files = {
        "facture": ("facture.json", json.dumps(facture()).encode(), "application/json"),
        "fichier": ("facture.pdf", PDF, "application/pdf"),
    }
    response = opco_sandbox.client("akto").post("/v1/factures", files=files)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("text", ["{", "[1, 2", "NaN", '{"a": 1e999}'])
def test_a_facture_part_that_is_not_json_is_json_invalide(
    opco_sandbox: OpcoSandbox, text: str
) -> None:
    assert refused_for_form(send(opco_sandbox, text)) == [("JSON_INVALIDE", "facture")]


def test_a_missing_fichier_is_fichier_absent_and_nothing_is_judged(
    opco_sandbox: OpcoSandbox,
) -> None:
    response = send(opco_sandbox, facture(ligne(2700)), pdf=None)
    assert refused_for_form(response) == [("FICHIER_ABSENT", "fichier")]
    assert total(opco_sandbox) == 0
    assert documents(opco_sandbox) == []


@pytest.mark.parametrize(
    "content",
    [b"", b"%PDF", b"PK\x03\x04 a zip", b" %PDF-1.4", b"<html>%PDF-1.4</html>"],
    ids=["empty", "truncated-magic", "zip", "leading-space", "html"],
)
def test_a_fichier_that_is_not_a_pdf_is_fichier_invalide(
    opco_sandbox: OpcoSandbox, content: bytes
) -> None:
    response = send(opco_sandbox, facture(ligne(2700)), pdf=content)
    assert refused_for_form(response) == [("FICHIER_INVALIDE", "fichier")]
    assert total(opco_sandbox) == 0


def test_a_fichier_sent_as_a_text_field_is_fichier_invalide(opco_sandbox: OpcoSandbox) -> None:
    files = {
        "facture": (None, json.dumps(facture()), "application/json"),
        "fichier": (None, "%PDF-1.4", "text/plain"),
    }
    response = opco_sandbox.client("akto").post("/v1/factures", files=files)
    assert refused_for_form(response) == [("FICHIER_INVALIDE", "fichier")]


def test_a_fichier_over_10_mb_is_fichier_invalide(opco_sandbox: OpcoSandbox) -> None:
    over = PDF + b"0" * (10 * 1024 * 1024 - len(PDF) + 1)
    response = send(opco_sandbox, facture(), pdf=over)
    assert refused_for_form(response) == [("FICHIER_INVALIDE", "fichier")]
    assert "10 Mo" in response.json()["errors"][0]["description"]


def test_the_size_limit_is_a_setting_inclusive(
    opco_sandbox: OpcoSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPCO_SANDBOX_MAX_FICHIER_BYTES", "1024")
    at_limit = PDF + b"0" * (1024 - len(PDF))
    assert send(opco_sandbox, facture(frais(100), numero="F-1"), pdf=at_limit).status_code == 200
    over = send(opco_sandbox, facture(frais(100), numero="F-2"), pdf=at_limit + b"0")
    assert refused_for_form(over) == [("FICHIER_INVALIDE", "fichier")]


def test_the_schema_is_judged_before_the_fichier(opco_sandbox: OpcoSandbox) -> None:
    response = send(opco_sandbox, without(facture(), "montantTotal"), pdf=None)
    assert refused_for_form(response) == [("CHAMP_OBLIGATOIRE", "facture.montantTotal")]


# The invoice's PDF is a document (§9b, §10)


def documents(sandbox: OpcoSandbox) -> list[dict[str, Any]]:
    response = sandbox.control.get("/documents")
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["documents"]
    return found


def test_the_invoice_pdf_is_kept_and_listed(opco_sandbox: OpcoSandbox) -> None:
    response = send(opco_sandbox, facture())
    answer = response.json()
    assert documents(opco_sandbox) == [
        {
            "numeroInterneDocument": answer["numeroInterneDocument"],
            "opco": "akto",
            "cfa": CFA_SIRET,
            "typeFichier": "FACTURE",
            "nom": "facture.pdf",
            "taille": len(PDF),
            "sha256": hashlib.sha256(PDF).hexdigest(),
            "dateReception": "2026-09-01",
            "objets": [{"typeObjet": "FACTURE", "idObjet": answer["numeroInterneFacture"]}],
            "donnees": None,
        }
    ]
    download = opco_sandbox.control.get(f"/documents/{answer['numeroInterneDocument']}")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    assert download.content == PDF


def test_a_rejected_invoice_keeps_its_pdf(opco_sandbox: OpcoSandbox) -> None:
    numero = rejected_number(send(opco_sandbox, facture(ligne(2700))))
    document = invoice(opco_sandbox, numero)["numeroInterneDocument"]
    assert [d["numeroInterneDocument"] for d in documents(opco_sandbox)] == [document]


def test_a_resend_that_is_already_known_keeps_no_pdf(opco_sandbox: OpcoSandbox) -> None:
    accept(opco_sandbox, facture(frais(100), numero="F-1"))
    rejection(send(opco_sandbox, facture(frais(100), numero="F-1")))
    assert len(documents(opco_sandbox)) == 1


def test_an_unknown_document_is_404(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.control.get("/documents/20009999")
    assert problems(response, 404) == [("DOCUMENT_INCONNU", "numeroInterneDocument")]


# Schema (§13): what it requires, and that it stops there


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        (without(facture(), "dateEmission"), ("CHAMP_OBLIGATOIRE", "facture.dateEmission")),
        (facture(dateEmission=""), ("CHAMP_OBLIGATOIRE", "facture.dateEmission")),
        (without(facture(), "montantTotal"), ("CHAMP_OBLIGATOIRE", "facture.montantTotal")),
        (without(facture(), "lignes"), ("CHAMP_OBLIGATOIRE", "facture.lignes")),
        (facture() | {"lignes": []}, ("FORMAT_INVALIDE", "facture.lignes")),
        (
            facture(without(ligne(), "natureLigne")),
            ("CHAMP_OBLIGATOIRE", "facture.lignes[0].natureLigne"),
        ),
        (facture(without(ligne(), "montant")), ("CHAMP_OBLIGATOIRE", AMOUNT)),
        (facture(ligne(2800.001)), ("FORMAT_INVALIDE", AMOUNT)),
        (facture(ligne(-1), montantTotal=0), ("FORMAT_INVALIDE", AMOUNT)),
        (facture(ligne(nature="AUTRE")), ("FORMAT_INVALIDE", "facture.lignes[0].natureLigne")),
        # Version 1's natures are gone.
        (
            facture(ligne(nature="PEDAGOGIQUE")),
            ("FORMAT_INVALIDE", "facture.lignes[0].natureLigne"),
        ),
        (facture(dateEmission="01/09/2026"), ("FORMAT_INVALIDE", "facture.dateEmission")),
        (
            facture(estCertificatRealisation="peut-être"),
            ("FORMAT_INVALIDE", "facture.estCertificatRealisation"),
        ),
        ([facture()], ("FORMAT_INVALIDE", "facture")),
    ],
)
def test_schema_violation_is_400_without_business_rules(
    opco_sandbox: OpcoSandbox, sent: Any, expected: tuple[str, str]
) -> None:
    assert refused_for_form(send(opco_sandbox, sent)) == [expected]
    assert total(opco_sandbox) == 0


def test_nature_ligne_error_lists_the_allowed_values(opco_sandbox: OpcoSandbox) -> None:
    response = send(opco_sandbox, facture(ligne(nature="AUTRE")))
    description = response.json()["errors"][0]["description"]
    for nature in ("PEDAGOGIE", "MAJORATION_RQTH", "PREMIEREQUIPEMENT", "MOBILITE"):
        assert nature in description


def test_a_version_1_body_is_refused_by_the_schema(opco_sandbox: OpcoSandbox) -> None:
    v1 = {
        "numeroFacture": "F-1",
        "dateFacture": "2026-09-01",
        "montantTotal": 2800,
        "emetteur": {"siret": CFA_SIRET, "iban": CFA_IBAN},
        "lignes": [
            {
                "numeroExterneDossier": DEMO_DOSSIER,
                "numeroEcheance": 1,
                "nature": "PEDAGOGIQUE",
                "montant": 2800,
            }
        ],
    }
    assert refused_for_form(send(opco_sandbox, v1)) == [
        ("CHAMP_OBLIGATOIRE", "facture.dateEmission"),
        ("CHAMP_OBLIGATOIRE", "facture.lignes[0].natureLigne"),
    ]


def test_schema_stops_before_the_rules(opco_sandbox: OpcoSandbox) -> None:
    sent = without(facture(ligne(1), dateEmission="hier"), "ibanEmetteur")
    assert refused_for_form(send(opco_sandbox, sent)) == [
        ("FORMAT_INVALIDE", "facture.dateEmission")
    ]


# Each rule broken alone (or with the rule it cannot help breaking)


def case(
    name: str,
    body: dict[str, Any],
    expected: dict[str, str],
    before: dict[str, Any] | None = None,
    cfa: str | None = None,
) -> Any:
    """A body breaking `expected` rules, sent by `cfa` once `before` was accepted."""
    return pytest.param(body, expected, before, cfa, id=name)


OTHER_EMETTEUR = {"siretEmetteur": OTHER_CFA_SIRET, "ibanEmetteur": OTHER_CFA_IBAN}
CASES = [
    case(
        "FACTURE_DEJA_CONNUE",
        facture(numero="F-1"),
        {"FACTURE_DEJA_CONNUE": "facture.numero"},
        before=facture(frais(100), numero="F-1"),
    ),
    case("IBAN_DIFFERENT", facture(ibanEmetteur=OTHER_CFA_IBAN), {"IBAN_DIFFERENT": IBAN}),
    case("FRAIS_ANNEXES_PLAFOND", facture(frais(300.01)), {"FRAIS_ANNEXES_PLAFOND": AMOUNT}),
    case(
        "FRAIS_ANNEXES_PLAFOND-nature-not-engaged",
        facture(frais(10, "HEBERGEMENT")),
        {"FRAIS_ANNEXES_PLAFOND": AMOUNT},
    ),
    case("IBAN_ABSENT", without(facture(), "ibanEmetteur"), {"IBAN_ABSENT": IBAN}),
    case("IBAN_ABSENT-empty", facture(ibanEmetteur=""), {"IBAN_ABSENT": IBAN}),
    case("IBAN_ABSENT-blank", facture(ibanEmetteur="   "), {"IBAN_ABSENT": IBAN}),
    case(
        "IBAN_ABSENT-no-emitter",
        without(without(facture(), "ibanEmetteur"), "siretEmetteur"),
        {"IBAN_ABSENT": IBAN, "SIRET_EMETTEUR_INCONNU": SIRET},
    ),
    case(
        "MONTANT_ECHEANCE_INCORRECT",
        facture(ligne(), ligne()),
        {"MONTANT_ECHEANCE_INCORRECT": AMOUNT},
    ),
    case(
        "SIRET_EMETTEUR_INCONNU",
        facture(siretEmetteur=EMPLOYER_SIRET),
        {"SIRET_EMETTEUR_INCONNU": SIRET, "SIRET_DIFFERENT": SIRET},
    ),
    case("SIRET_DIFFERENT", facture(siretEmetteur=OTHER_CFA_SIRET), {"SIRET_DIFFERENT": SIRET}),
    case(
        "NUMERO_EXTERNE_ABSENT",
        facture(ligne(dossier=None)),
        {"NUMERO_EXTERNE_ABSENT": NUMERO_DOSSIER},
    ),
    case(
        "NUMERO_EXTERNE_ABSENT-empty",
        facture(ligne(dossier="")),
        {"NUMERO_EXTERNE_ABSENT": NUMERO_DOSSIER},
    ),
    case(
        "ECHEANCE_NON_OUVERTE",
        facture(ligne(2100, 2)),
        {"ECHEANCE_NON_OUVERTE": NUMERO_ECHEANCE},
    ),
    case(
        "ECHEANCE_NON_OUVERTE-frais",
        facture(frais(100, numero_echeance=2)),
        {"ECHEANCE_NON_OUVERTE": NUMERO_ECHEANCE},
    ),
    case(
        "MONTANT_INCORRECT-echeance-split-over-two-lines",
        facture(ligne(1400), ligne(1400)),
        {"MONTANT_INCORRECT": AMOUNT},
    ),
    case(
        "MONTANT_INCORRECT-and-MONTANT_ECHEANCE_INCORRECT",
        facture(ligne(2700)),
        {"MONTANT_ECHEANCE_INCORRECT": AMOUNT, "MONTANT_INCORRECT": AMOUNT},
    ),
    case(
        "MONTANT_TOTAL_INCOHERENT",
        facture(montantTotal=2800.01),
        {"MONTANT_TOTAL_INCOHERENT": "facture.montantTotal"},
    ),
    case(
        "NUMERO_ECHEANCE_INCONNU",
        facture(ligne(numero_echeance=7)),
        {"NUMERO_ECHEANCE_INCONNU": NUMERO_ECHEANCE},
    ),
    case(
        "NUMERO_ECHEANCE_INCONNU-absent",
        facture(ligne(numero_echeance=None)),
        {"NUMERO_ECHEANCE_INCONNU": NUMERO_ECHEANCE},
    ),
    case(
        "DOSSIER_INCONNU",
        facture(ligne(dossier=UNKNOWN_DOSSIER)),
        {"DOSSIER_INCONNU": NUMERO_DOSSIER},
    ),
    case(
        "DOSSIER_INCONNU-another-cfas-dossier",
        facture(**OTHER_EMETTEUR),
        {"DOSSIER_INCONNU": NUMERO_DOSSIER},
        cfa=OTHER_CFA_SIRET,
    ),
    case(
        "DOSSIER_INCONNU-another-deca",
        facture(ligne(2700, numeroDeca="075202699999999")),
        {"DOSSIER_INCONNU": "facture.lignes[0].numeroDeca"},
    ),
    case(
        "DOSSIER_NON_FACTURABLE-transmis",
        facture(ligne(dossier=EMPLOYER_DEPOSIT)),
        {"DOSSIER_NON_FACTURABLE": NUMERO_DOSSIER},
    ),
]


def test_cases_cover_every_code() -> None:
    assert {code for param in CASES for code in param.values[1]} == set(MESSAGES)


@pytest.mark.parametrize(("body", "expected", "before", "cfa"), CASES)
def test_each_rule_rejects_with_its_code_description_and_champ(
    opco_sandbox: OpcoSandbox,
    body: dict[str, Any],
    expected: dict[str, str],
    before: dict[str, Any] | None,
    cfa: str | None,
) -> None:
    if before is not None:
        accept(opco_sandbox, before)
    assert rejection(send(opco_sandbox, body, cfa=cfa)) == expected


def transmitted(sandbox: OpcoSandbox, opco: str = "akto") -> str:
    """The numeroExterne of the builder's contract, transmitted by CFA Demo."""
    response = sandbox.client(opco).post("/v1/dossiers", json=transmission("CFA-1"))
    assert response.status_code == 200, response.text
    numero_externe: str = response.json()["numeroExterne"]
    return numero_externe


def test_transmitted_dossier_is_not_facturable(opco_sandbox: OpcoSandbox) -> None:
    body = facture(ligne(dossier=transmitted(opco_sandbox)))
    assert rejection(send(opco_sandbox, body)) == {"DOSSIER_NON_FACTURABLE": NUMERO_DOSSIER}


def before_2020() -> dict[str, Any]:
    """The demo on 2020-02-03, its engaged dossier an employer's deposit concluded in 2019."""
    document = demo(canal="EMPLOYEUR", numeroExterne="AKTO-2020-000001")
    document["date"] = "2020-02-03"
    deposit = document["dossiers"][0]
    del deposit["numeroInterne"]
    cerfa = deposit["cerfa"]
    cerfa["apprenti"]["dateNaissance"] = "2002-03-14"
    cerfa["contrat"] |= {
        "dateConclusion": "2019-12-20",
        "dateDebutContrat": "2020-01-06",
        "dateFinContrat": "2022-01-05",
        "salaireEmbauche": 1500,
    }
    cerfa["formation"] |= {"dateDebutFormation": "2020-01-06", "dateFinFormation": "2021-12-31"}
    return document


def test_dossier_concluded_before_2020_is_not_facturable(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.load(before_2020())
    body = facture(ligne(1, dossier="AKTO-2020-000001"), dateEmission="2020-02-03")
    assert rejection(send(opco_sandbox, body)) == {"DOSSIER_NON_FACTURABLE": NUMERO_DOSSIER}


def test_rupture_dossier_is_facturable(opco_sandbox: OpcoSandbox) -> None:
    force(opco_sandbox, DEMO_DOSSIER, "RUPTURE")
    accept(opco_sandbox, facture())


def test_facture_deja_connue_is_judged_among_the_callers_invoices_only(
    opco_sandbox: OpcoSandbox,
) -> None:
    # CFA Autre names CFA Demo's SIRET as emitter: it must not learn that CFA Demo holds F-1.
    accept(opco_sandbox, facture(numero="F-1"))
    other = facture(numero="F-1", ibanEmetteur=OTHER_CFA_IBAN)
    assert rejection(send(opco_sandbox, other, cfa=OTHER_CFA_SIRET)) == {
        "DOSSIER_INCONNU": NUMERO_DOSSIER
    }


def test_the_same_number_from_another_emitter_is_another_invoice(
    opco_sandbox: OpcoSandbox,
) -> None:
    accept(opco_sandbox, facture(frais(100), numero="F-1"))
    other = facture(frais(100), numero="F-1", siretEmetteur=OTHER_CFA_SIRET)
    assert rejection(send(opco_sandbox, other)) == {"SIRET_DIFFERENT": SIRET}


def test_a_cfa_without_a_key_at_this_opco_is_an_unknown_emitter(opco_sandbox: OpcoSandbox) -> None:
    # CFA Autre holds a key at akto only (there, SIRET_DIFFERENT alone: see CASES).
    numero_externe = transmitted(opco_sandbox, "atlas")
    for state in ("EN_COURS_INSTRUCTION", "ENGAGE"):
        path = f"/atlas/dossiers/{numero_externe}/etat"
        opco_sandbox.control.post(path, json={"etat": state}).raise_for_status()
    body = facture(ligne(3280, dossier=numero_externe))  # BTS: 40 % of €8,200
    other = facture(
        ligne(3280, dossier=numero_externe), numero="F-2", siretEmetteur=OTHER_CFA_SIRET
    )
    assert rejection(send(opco_sandbox, other, opco="atlas")) == {
        "SIRET_EMETTEUR_INCONNU": SIRET,
        "SIRET_DIFFERENT": SIRET,
    }
    assert send(opco_sandbox, body, opco="atlas").status_code == 200


# Rules that cannot be judged, several rules at once


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            facture(ligne(1, 9, dossier=UNKNOWN_DOSSIER)),
            {"DOSSIER_INCONNU": NUMERO_DOSSIER},
            id="unknown-dossier",
        ),
        pytest.param(
            facture(ligne(1, 9, dossier=EMPLOYER_DEPOSIT)),
            {"DOSSIER_NON_FACTURABLE": NUMERO_DOSSIER},
            id="dossier-not-facturable",
        ),
        pytest.param(
            facture(ligne(1, 9)),
            {"NUMERO_ECHEANCE_INCONNU": NUMERO_ECHEANCE},
            id="unknown-echeance",
        ),
        pytest.param(
            facture(ligne(dossier=UNKNOWN_DOSSIER), **OTHER_EMETTEUR),
            {"DOSSIER_INCONNU": NUMERO_DOSSIER},
            id="siret-and-iban-not-judged-without-echeance",
        ),
        pytest.param(
            facture(frais(1000, numero_echeance=9)),
            {"NUMERO_ECHEANCE_INCONNU": NUMERO_ECHEANCE},
            id="frais-not-judged-without-echeance",
        ),
        pytest.param(
            facture(ligne(1, 9, numeroDeca="075202699999999")),
            {"DOSSIER_INCONNU": "facture.lignes[0].numeroDeca"},
            id="nothing-judged-on-another-deca",
        ),
    ],
)
def test_a_rule_needing_an_unknown_dossier_or_echeance_is_skipped(
    opco_sandbox: OpcoSandbox, body: dict[str, Any], expected: dict[str, str]
) -> None:
    assert rejection(send(opco_sandbox, body)) == expected


def test_every_broken_rule_is_listed(opco_sandbox: OpcoSandbox) -> None:
    body = facture(
        ligne(2700),
        ligne(2100, 2),
        ligne(dossier=None),
        ligne(dossier=UNKNOWN_DOSSIER),
        frais(600),
        montantTotal=1,
        siretEmetteur=OTHER_CFA_SIRET,
    )
    del body["ibanEmetteur"]
    assert rejection(send(opco_sandbox, body)) == {
        "FRAIS_ANNEXES_PLAFOND": "facture.lignes[4].montant",
        "IBAN_ABSENT": IBAN,
        "MONTANT_ECHEANCE_INCORRECT": AMOUNT,
        "SIRET_DIFFERENT": SIRET,
        "NUMERO_EXTERNE_ABSENT": "facture.lignes[2].numeroDossier",
        "ECHEANCE_NON_OUVERTE": "facture.lignes[1].numeroEcheance",
        "MONTANT_INCORRECT": AMOUNT,
        "MONTANT_TOTAL_INCOHERENT": "facture.montantTotal",
        "DOSSIER_INCONNU": "facture.lignes[3].numeroDossier",
    }


def test_a_rule_broken_by_several_lines_is_one_item_naming_the_first(
    opco_sandbox: OpcoSandbox,
) -> None:
    body = facture(
        ligne(),
        ligne(2100, 2),
        ligne(2100, 3),
        ligne(numero_echeance=8),
        ligne(numero_echeance=9),
        ligne(dossier=UNKNOWN_DOSSIER),
        ligne(dossier="AKTO-2026-999998"),
    )
    assert rejection(send(opco_sandbox, body)) == {
        "ECHEANCE_NON_OUVERTE": "facture.lignes[1].numeroEcheance",
        "NUMERO_ECHEANCE_INCONNU": "facture.lignes[3].numeroEcheance",
        "DOSSIER_INCONNU": "facture.lignes[5].numeroDossier",
    }


# Amounts of an échéance with an RQTH part (E1: €2,800 pédagogie + €1,600 majoration RQTH)


@pytest.mark.opco_scenario(with_apprenti(handicap=True))
def test_rqth_echeance_is_billed_by_its_two_parts(opco_sandbox: OpcoSandbox) -> None:
    e1 = echeance(opco_sandbox)
    assert (e1["dontMontantPedagogie"], e1["dontMajorationRqth"]) == (2800.0, 1600.0)
    accept(opco_sandbox, facture(ligne(2800), ligne(1600, nature="MAJORATION_RQTH")))
    assert in_instruction_and_paid(opco_sandbox) == (4400.0, 0.0)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param([ligne(2800)], {"MONTANT_ECHEANCE_INCORRECT": AMOUNT}, id="rqth-missing"),
        pytest.param(
            [ligne(1600), ligne(2800, nature="MAJORATION_RQTH")],
            {"MONTANT_INCORRECT": AMOUNT},
            id="parts-swapped",
        ),
        pytest.param(
            [ligne(2800), ligne(1500, nature="MAJORATION_RQTH")],
            {
                "MONTANT_ECHEANCE_INCORRECT": AMOUNT,
                "MONTANT_INCORRECT": "facture.lignes[1].montant",
            },
            id="rqth-short",
        ),
        pytest.param([ligne(4400)], {"MONTANT_INCORRECT": AMOUNT}, id="all-as-pedagogie"),
    ],
)
@pytest.mark.opco_scenario(with_apprenti(handicap=True))
def test_rqth_echeance_amount_rules(
    opco_sandbox: OpcoSandbox, lines: list[dict[str, Any]], expected: dict[str, str]
) -> None:
    assert rejection(send(opco_sandbox, facture(*lines))) == expected


# Frais annexes: caps per dossier and nature, over every invoice not rejected


def test_frais_cap_counts_earlier_invoices(opco_sandbox: OpcoSandbox) -> None:
    accept(opco_sandbox, facture(frais(200), numero="F-1"))
    refused = send(opco_sandbox, facture(frais(150), numero="F-2"))
    assert rejection(refused) == {"FRAIS_ANNEXES_PLAFOND": AMOUNT}
    accept(opco_sandbox, facture(frais(100), numero="F-3"))


def test_frais_cap_counts_the_lines_of_one_invoice(opco_sandbox: OpcoSandbox) -> None:
    body = facture(frais(150), frais(150), frais(1))
    assert rejection(send(opco_sandbox, body)) == {
        "FRAIS_ANNEXES_PLAFOND": "facture.lignes[2].montant"
    }


def test_quantite_is_informative(opco_sandbox: OpcoSandbox) -> None:
    accept(opco_sandbox, facture(frais(300, quantite=7)))


def test_frais_of_a_rejected_invoice_no_longer_count(opco_sandbox: OpcoSandbox) -> None:
    numero = accept(opco_sandbox, facture(frais(300), numero="F-1"))
    assert decide(opco_sandbox, numero, "REJETE", "Justificatifs absents").status_code == 200
    accept(opco_sandbox, facture(frais(300), numero="F-2"))


def two_dossiers() -> dict[str, Any]:
    """The demo with a second engaged dossier of CFA Demo, RESTAURATION €300 engaged too."""
    document = demo()
    second = copy.deepcopy(document["dossiers"][0])
    second |= {"numeroInterne": "DEMO-0003", "numeroExterne": "AKTO-2026-000003"}
    second["cerfa"]["apprenti"] |= {
        "nom": "Petit",
        "prenom": "Jules",
        "sexe": "M",
        "dateNaissance": "2007-05-05",
        "nir": NIRS[1],
    }
    document["dossiers"].append(second)
    return document


@pytest.mark.opco_scenario(two_dossiers())
def test_frais_caps_are_per_dossier(opco_sandbox: OpcoSandbox) -> None:
    accept(opco_sandbox, facture(frais(300), numero="F-1"))
    accept(opco_sandbox, facture(frais(300, dossier="AKTO-2026-000003"), numero="F-2"))


PREMIER_EQUIPEMENT_800 = {
    "natureFrais": "PREMIEREQUIPEMENT",
    "quantite": 1,
    "prixUnitaire": 800,
    "montantTotal": 800,
}


@pytest.mark.opco_scenario(demo(engagementsFraisAnnexe=[PREMIER_EQUIPEMENT_800]))
def test_premier_equipement_is_capped_at_500_even_when_more_is_engaged(
    opco_sandbox: OpcoSandbox,
) -> None:
    over = send(opco_sandbox, facture(frais(500.01, "PREMIEREQUIPEMENT"), numero="F-1"))
    assert rejection(over) == {"FRAIS_ANNEXES_PLAFOND": AMOUNT}
    accept(opco_sandbox, facture(frais(500, "PREMIEREQUIPEMENT"), numero="F-2"))
    more = send(opco_sandbox, facture(frais(1, "PREMIEREQUIPEMENT"), numero="F-3"))
    assert rejection(more) == {"FRAIS_ANNEXES_PLAFOND": AMOUNT}


@pytest.mark.opco_scenario(demo(engagementsFraisAnnexe=[PREMIER_EQUIPEMENT_800]))
def test_premier_equipement_is_invoiced_on_the_first_echeance_only(
    opco_sandbox: OpcoSandbox,
) -> None:
    set_clock(opco_sandbox, "2027-03-01")  # E2 is open
    periodes = dossier(opco_sandbox)["detailsFacturation"]["periodesFraisAnnexes"]
    assert [p["numeroEcheance"] for p in periodes] == [1]
    on_e2 = send(opco_sandbox, facture(frais(100, "PREMIEREQUIPEMENT", numero_echeance=2)))
    assert rejection(on_e2) == {"FRAIS_ANNEXES_PLAFOND": AMOUNT}
    accept(opco_sandbox, facture(frais(100, "PREMIEREQUIPEMENT"), numero="F-2"))


FRAIS_SUIVIS = [
    {"natureFrais": "PREMIEREQUIPEMENT", "quantite": 1, "prixUnitaire": 300, "montantTotal": 300},
    {"natureFrais": "MOBILITE", "quantite": 2, "prixUnitaire": 100, "montantTotal": 200},
]


@pytest.mark.opco_scenario(demo(engagementsFraisAnnexe=FRAIS_SUIVIS))
def test_paid_frais_appear_in_details_facturation(opco_sandbox: OpcoSandbox) -> None:
    def paid() -> tuple[float, float]:
        details = dossier(opco_sandbox)["detailsFacturation"]
        return details["fraisPremierEquipementRegles"], details["fraisMobiliteRegles"]

    numero = accept(opco_sandbox, facture(frais(300, "PREMIEREQUIPEMENT"), frais(200, "MOBILITE")))
    assert paid() == (0, 0)  # in instruction
    assert decide(opco_sandbox, numero, "REGLE").status_code == 200
    assert paid() == (300, 200)
    assert dossier(opco_sandbox)["detailsFacturation"]["plafondFraisMobilite"] == 200


def test_frais_never_count_in_the_echeance(opco_sandbox: OpcoSandbox) -> None:
    numero = accept(opco_sandbox, facture(frais(300), numero="F-1"))
    assert in_instruction_and_paid(opco_sandbox) == (0.0, 0.0)
    opco_sandbox.advance(5)
    assert invoice(opco_sandbox, numero)["etatFacture"] == "REGLE"
    assert in_instruction_and_paid(opco_sandbox) == (0.0, 0.0)
    accept(opco_sandbox, facture(numero="F-2"))


# Échéances open on their date


def test_echeance_is_billable_from_its_opening_day(opco_sandbox: OpcoSandbox) -> None:
    body = facture(ligne(2100, 2), numero="F-E2")
    assert rejection(send(opco_sandbox, body)) == {"ECHEANCE_NON_OUVERTE": NUMERO_ECHEANCE}
    set_clock(opco_sandbox, "2027-02-28")
    assert rejection(send(opco_sandbox, body)) == {"ECHEANCE_NON_OUVERTE": NUMERO_ECHEANCE}
    set_clock(opco_sandbox, "2027-03-01")
    accept(opco_sandbox, body)


# Rejected invoices are kept


def test_rejected_invoice_is_kept_with_its_reasons(opco_sandbox: OpcoSandbox) -> None:
    sent = facture(ligne(2700), numero="F-1")
    response = send(opco_sandbox, sent)
    rejection(response)
    found = invoice(opco_sandbox, rejected_number(response))
    assert found["etatFacture"] == "REJETE"
    errors = response.json()["errors"]
    assert found["motifsRejet"] == [
        {"code": e["code"], "description": e["description"]} for e in errors
    ]
    assert found["commentaire"] == (
        "Le montant de l'échéance ne correspond pas au montant attendu ; "
        "Le montant ne correspond pas au montant attendu"
    )
    assert (found["lignes"], found["dateReglement"], found["referenceVirement"]) == (
        sent["lignes"],
        None,
        None,
    )
    assert in_instruction_and_paid(opco_sandbox) == (0.0, 0.0)


def test_rejected_invoices_are_listed(opco_sandbox: OpcoSandbox) -> None:
    send(opco_sandbox, facture(ligne(2700), numero="F-1"))
    numero = accept(opco_sandbox, facture(numero="F-2"))
    body = page(opco_sandbox).json()
    assert (body["total"], body["count"], body["page"]) == (2, 2, 1)
    assert [(f["referenceFactureCFA"], f["etatFacture"]) for f in body["factures"]] == [
        ("F-1", "REJETE"),
        ("F-2", "EN_COURS_INSTRUCTION"),
    ]
    assert body["factures"][1] == invoice(opco_sandbox, numero)


def test_corrected_invoice_may_reuse_a_rejected_number(opco_sandbox: OpcoSandbox) -> None:
    rejected = rejected_number(send(opco_sandbox, facture(ligne(2700), numero="F-1")))
    numero = accept(opco_sandbox, facture(numero="F-1"))
    assert numero != rejected
    assert invoice(opco_sandbox, numero)["etatFacture"] == "EN_COURS_INSTRUCTION"
    found = read(opco_sandbox, referenceFactureCFA="F-1").json()
    assert found["numeroInterneFacture"] == numero  # the last one under that reference
    assert [f["etatFacture"] for f in page(opco_sandbox).json()["factures"]] == [
        "REJETE",
        "EN_COURS_INSTRUCTION",
    ]


def test_resending_an_accepted_invoice_stores_nothing(opco_sandbox: OpcoSandbox) -> None:
    numero = accept(opco_sandbox, facture(numero="F-1"))
    response = send(opco_sandbox, facture(numero="F-1"))
    assert problems(response, 400) == [
        ("FACTURE_DEJA_CONNUE", "facture.numero"),
        ("MONTANT_ECHEANCE_INCORRECT", AMOUNT),
        ("MONTANT_INCORRECT", AMOUNT),
    ]
    assert total(opco_sandbox) == 1
    assert invoice(opco_sandbox, numero)["etatFacture"] == "EN_COURS_INSTRUCTION"
    assert in_instruction_and_paid(opco_sandbox) == (2800.0, 0.0)


def test_resending_a_paid_invoice_is_facture_deja_connue(opco_sandbox: OpcoSandbox) -> None:
    accept(opco_sandbox, facture(frais(30), numero="F-1"))
    opco_sandbox.advance(5)
    response = send(opco_sandbox, facture(frais(30), numero="F-1"))
    assert problems(response, 400) == [("FACTURE_DEJA_CONNUE", "facture.numero")]
    assert total(opco_sandbox) == 1


def test_unknown_invoice_is_404(opco_sandbox: OpcoSandbox) -> None:
    response = read(opco_sandbox, numeroInterneFacture="10000404")
    assert problems(response, 404) == [("FACTURE_INCONNUE", "numeroInterneFacture")]
    response = read(opco_sandbox, referenceFactureCFA="F-404")
    assert problems(response, 404) == [("FACTURE_INCONNUE", "referenceFactureCFA")]


def test_another_cfa_cannot_read_an_invoice(opco_sandbox: OpcoSandbox) -> None:
    numero = accept(opco_sandbox, facture(numero="F-1"))
    response = read(opco_sandbox, cfa=OTHER_CFA_SIRET, numeroInterneFacture=numero)
    assert problems(response, 404) == [("FACTURE_INCONNUE", "numeroInterneFacture")]
    response = read(opco_sandbox, cfa=OTHER_CFA_SIRET, referenceFactureCFA="F-1")
    assert problems(response, 404) == [("FACTURE_INCONNUE", "referenceFactureCFA")]
    assert page(opco_sandbox, cfa=OTHER_CFA_SIRET).json()["total"] == 0


def test_invoices_are_per_opco(opco_sandbox: OpcoSandbox) -> None:
    numero = accept(opco_sandbox, facture(numero="F-1"))
    response = opco_sandbox.client("atlas").get(
        "/v1/factures", params={"numeroInterneFacture": numero}
    )
    assert problems(response, 404) == [("FACTURE_INCONNUE", "numeroInterneFacture")]


# Pages of invoices


def send_rejected(opco_sandbox: OpcoSandbox, count: int) -> None:
    for i in range(1, count + 1):
        response = send(opco_sandbox, facture(ligne(dossier=UNKNOWN_DOSSIER), numero=f"P-{i:03}"))
        assert response.status_code == 400


def numeros(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [f["referenceFactureCFA"] for f in response.json()["factures"]]


def test_page_holds_50_invoices_by_default(opco_sandbox: OpcoSandbox) -> None:
    send_rejected(opco_sandbox, 51)
    first, second = page(opco_sandbox).json(), page(opco_sandbox, numeroPage=2).json()
    assert (first["total"], first["count"], first["page"]) == (51, 50, 1)
    assert (second["total"], second["count"], second["page"]) == (51, 1, 2)
    assert numeros(page(opco_sandbox, taillePage=500)) == [f"P-{i:03}" for i in range(1, 52)]


def test_v1_etats_is_a_bare_array_of_every_invoice(opco_sandbox: OpcoSandbox) -> None:
    send_rejected(opco_sandbox, 3)
    accept(opco_sandbox, facture(numero="F-1"))
    response = opco_sandbox.client("akto").get("/v1/factures/etats")
    assert response.status_code == 200
    every = response.json()
    assert [f["referenceFactureCFA"] for f in every] == ["P-001", "P-002", "P-003", "F-1"]
    assert all(set(f) == FACTURE_FIELDS for f in every)
    assert every == page(opco_sandbox).json()["factures"]


def test_a_page_past_the_end_is_empty_with_the_total(opco_sandbox: OpcoSandbox) -> None:
    send_rejected(opco_sandbox, 3)
    body = page(opco_sandbox, numeroPage=5, taillePage=2).json()
    assert (body["total"], body["count"], body["page"], body["factures"]) == (3, 0, 5, [])


def test_invoice_pages_follow_each_other_oldest_first(opco_sandbox: OpcoSandbox) -> None:
    send_rejected(opco_sandbox, 3)
    pages = [numeros(page(opco_sandbox, numeroPage=n, taillePage=2)) for n in (1, 2, 3)]
    assert pages == [["P-001", "P-002"], ["P-003"], []]


@pytest.mark.parametrize(
    ("param", "value"),
    [("numeroPage", 0), ("numeroPage", -1), ("taillePage", 0), ("taillePage", 501)],
)
def test_invoice_page_out_of_bounds_is_400(
    opco_sandbox: OpcoSandbox, param: str, value: int
) -> None:
    response = opco_sandbox.client("akto").get("/v2/factures/etats", params={param: value})
    assert problems(response, 400) == [("FORMAT_INVALIDE", param)]


# Payment


def test_acceptance_puts_the_amount_in_instruction(opco_sandbox: OpcoSandbox) -> None:
    accept(opco_sandbox, facture())
    assert in_instruction_and_paid(opco_sandbox) == (2800.0, 0.0)
    assert in_instruction_and_paid(opco_sandbox, 2) == (0.0, 0.0)


def test_invoice_is_paid_after_delai_paiement(opco_sandbox: OpcoSandbox) -> None:
    numero = accept(opco_sandbox, facture(numero="F-1"))
    opco_sandbox.advance(4)
    assert invoice(opco_sandbox, numero)["etatFacture"] == "EN_COURS_INSTRUCTION"
    assert in_instruction_and_paid(opco_sandbox) == (2800.0, 0.0)
    opco_sandbox.advance(1)
    found = invoice(opco_sandbox, numero)
    assert (found["etatFacture"], found["dateReglement"], found["referenceVirement"]) == (
        "REGLE",
        "2026-09-06",
        None,
    )
    assert (found["montantFacture"], found["commentaire"]) == (2800.0, None)
    assert in_instruction_and_paid(opco_sandbox) == (0.0, 2800.0)


@pytest.mark.opco_scenario(demo(akto={"delaiPaiement": 10}))
def test_delai_paiement_runs_from_reception(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.advance(2)
    numero = accept(opco_sandbox, facture(numero="F-1"))
    opco_sandbox.advance(9)
    assert invoice(opco_sandbox, numero)["etatFacture"] == "EN_COURS_INSTRUCTION"
    opco_sandbox.advance(1)
    assert invoice(opco_sandbox, numero)["dateReglement"] == "2026-09-13"


@pytest.mark.opco_scenario(demo(akto={"delaiPaiement": 0}))
def test_delai_paiement_zero_pays_at_once(opco_sandbox: OpcoSandbox) -> None:
    numero = accept(opco_sandbox, facture(numero="F-1"))
    assert invoice(opco_sandbox, numero)["dateReglement"] == "2026-09-01"


@pytest.mark.opco_scenario(demo(echeancesReglees=[2, 3, 4, 5, 6]))
def test_dossier_is_solde_once_its_last_echeance_is_paid(opco_sandbox: OpcoSandbox) -> None:
    accept(opco_sandbox, facture())
    opco_sandbox.advance(4)
    assert dossier(opco_sandbox)["cerfa"]["etat"] == "ENGAGE"
    opco_sandbox.advance(1)
    cerfa = dossier(opco_sandbox)["cerfa"]
    assert (cerfa["etat"], cerfa["dateMiseAJour"]) == ("SOLDE", "2026-09-06")


def short_contract() -> dict[str, Any]:
    """The demo, its engaged contract six months long: a single échéance."""
    document = demo()
    cerfa = document["dossiers"][0]["cerfa"]
    cerfa["contrat"]["dateFinContrat"] = cerfa["formation"]["dateFinFormation"] = "2027-02-28"
    return document


@pytest.mark.opco_scenario(short_contract())
def test_short_contract_is_solde_after_one_invoice(opco_sandbox: OpcoSandbox) -> None:
    [only] = dossier(opco_sandbox)["echeances"]
    accept(opco_sandbox, facture(ligne(only["montantTotal"])))
    opco_sandbox.advance(5)
    assert dossier(opco_sandbox)["cerfa"]["etat"] == "SOLDE"
    assert rejection(send(opco_sandbox, facture(frais(3), numero="F-2"))) == {
        "DOSSIER_NON_FACTURABLE": NUMERO_DOSSIER
    }


def test_rupture_then_full_payment_is_solde(opco_sandbox: OpcoSandbox) -> None:
    force(opco_sandbox, DEMO_DOSSIER, "RUPTURE")
    assert [e["numero"] for e in dossier(opco_sandbox)["echeances"]] == [1]
    accept(opco_sandbox, facture())
    assert dossier(opco_sandbox)["cerfa"]["etat"] == "RUPTURE"
    opco_sandbox.advance(5)
    assert dossier(opco_sandbox)["cerfa"]["etat"] == "SOLDE"


# The OPCO's decision through the control API, by numeroInterneFacture


def test_control_settles_an_invoice_now(opco_sandbox: OpcoSandbox) -> None:
    numero = accept(opco_sandbox, facture(numero="F-1"))
    response = decide(opco_sandbox, numero, "REGLE")
    assert response.status_code == 200
    answered = response.json()
    assert (answered["etatFacture"], answered["dateReglement"]) == ("REGLE", "2026-09-01")
    assert invoice(opco_sandbox, numero) == answered
    assert in_instruction_and_paid(opco_sandbox) == (0.0, 2800.0)
    opco_sandbox.advance(5)
    assert in_instruction_and_paid(opco_sandbox) == (0.0, 2800.0)


def test_control_rejects_an_invoice_and_releases_its_amounts(opco_sandbox: OpcoSandbox) -> None:
    numero = accept(opco_sandbox, facture(numero="F-1"))
    response = decide(opco_sandbox, numero, "REJETE", "Certificat de réalisation absent")
    assert response.status_code == 200
    assert response.json()["etatFacture"] == "REJETE"
    found = invoice(opco_sandbox, numero)
    assert found["motifsRejet"] == [
        {"code": "REJET_OPCO", "description": "Certificat de réalisation absent"}
    ]
    assert found["commentaire"] == "Certificat de réalisation absent"
    assert in_instruction_and_paid(opco_sandbox) == (0.0, 0.0)
    opco_sandbox.advance(5)
    assert invoice(opco_sandbox, numero)["etatFacture"] == "REJETE"
    assert in_instruction_and_paid(opco_sandbox) == (0.0, 0.0)


def test_number_rejected_by_the_opco_may_be_sent_again(opco_sandbox: OpcoSandbox) -> None:
    numero = accept(opco_sandbox, facture(numero="F-1"))
    decide(opco_sandbox, numero, "REJETE", "Erreur").raise_for_status()
    accept(opco_sandbox, facture(numero="F-1"))
    assert in_instruction_and_paid(opco_sandbox) == (2800.0, 0.0)


@pytest.mark.parametrize("first", ["REGLE", "REJETE"])
@pytest.mark.parametrize("then", ["REGLE", "REJETE"])
def test_control_cannot_decide_a_decided_invoice(
    opco_sandbox: OpcoSandbox, first: str, then: str
) -> None:
    numero = accept(opco_sandbox, facture(numero="F-1"))
    decide(opco_sandbox, numero, first, "Erreur").raise_for_status()
    response = decide(opco_sandbox, numero, then, "Encore")
    assert problems(response, 409) == [("TRANSITION_INVALIDE", "etat")]
    assert invoice(opco_sandbox, numero)["etatFacture"] == first


def test_control_cannot_decide_an_invoice_rejected_by_the_rules(opco_sandbox: OpcoSandbox) -> None:
    numero = rejected_number(send(opco_sandbox, facture(ligne(2700), numero="F-1")))
    assert problems(decide(opco_sandbox, numero, "REGLE"), 409) == [("TRANSITION_INVALIDE", "etat")]


@pytest.mark.parametrize("decision", ["EN_COURS_INSTRUCTION", "PAYEE", "REGLEE", "REJETEE"])
def test_control_decides_only_regle_or_rejete(opco_sandbox: OpcoSandbox, decision: str) -> None:
    numero = accept(opco_sandbox, facture(numero="F-1"))
    assert problems(decide(opco_sandbox, numero, decision), 400) == [("FORMAT_INVALIDE", "etat")]
    assert invoice(opco_sandbox, numero)["etatFacture"] == "EN_COURS_INSTRUCTION"


def test_control_on_an_unknown_invoice_is_404(opco_sandbox: OpcoSandbox) -> None:
    response = decide(opco_sandbox, "10000404", "REGLE")
    assert problems(response, 404) == [("FACTURE_INCONNUE", "numeroInterneFacture")]


def test_control_names_the_invoice_by_its_opco_number_not_its_reference(
    opco_sandbox: OpcoSandbox,
) -> None:
    accept(opco_sandbox, facture(numero="F-1"))
    response = decide(opco_sandbox, "F-1", "REGLE")
    assert problems(response, 404) == [("FACTURE_INCONNUE", "numeroInterneFacture")]
