"""The conformance report as JSON, as a self-contained HTML page, and as JUnit XML (for CI)."""

import html
from typing import Any
from xml.etree import ElementTree

from sandbox.journal.rapport import ECHOUE, NON_EXERCE, Rapport, Verification


def as_json(espace: str, rapport: Rapport) -> dict[str, Any]:
    return {
        "espace": espace,
        "requetes": rapport.requetes,
        "parStatut": rapport.par_statut,
        "parOpco": rapport.par_opco,
        "synthese": rapport.synthese,
        "exigences": [_item(v) for v in rapport.exigences],
        "couverture": [_item(v) for v in rapport.couverture],
    }


def _item(v: Verification) -> dict[str, Any]:
    return {"id": v.id, "libelle": v.libelle, "resultat": v.resultat, "requetes": v.requetes}


def as_junit(espace: str, rapport: Rapport) -> str:
    """A failed requirement is a failure; what was not exercised is skipped."""
    suites = ElementTree.Element("testsuites", name=f"opco-sandbox {espace}")
    for name, items in (("exigences", rapport.exigences), ("couverture", rapport.couverture)):
        suite = ElementTree.SubElement(
            suites,
            "testsuite",
            name=name,
            tests=str(len(items)),
            failures=str(sum(v.resultat == ECHOUE for v in items)),
            skipped=str(sum(v.resultat == NON_EXERCE for v in items)),
        )
        for v in items:
            case = ElementTree.SubElement(suite, "testcase", classname=name, name=v.id)
            if v.resultat == ECHOUE:
                ElementTree.SubElement(
                    case, "failure", message=f"{v.libelle} : {v.requetes} requête(s) en défaut"
                )
            elif v.resultat == NON_EXERCE:
                ElementTree.SubElement(case, "skipped", message=f"{v.libelle} : non exercé")
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True)


_COLOURS = {"REUSSI": "#1b7f3b", "ECHOUE": "#b3261e", "NON_EXERCE": "#6b6b6b"}


def as_html(espace: str, rapport: Rapport) -> str:
    """A page with no external asset, readable offline."""
    sections = "".join(
        f"<h2>{title}</h2>{_table(items)}"
        for title, items in (("Exigences", rapport.exigences), ("Couverture", rapport.couverture))
    )
    synthese = ", ".join(f"{k} : {n}" for k, n in rapport.synthese.items())
    return (
        "<!doctype html><html lang='fr'><head><meta charset='utf-8'>"
        f"<title>Rapport de conformité – {html.escape(espace)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}td,th{padding:.3em .8em;"
        "border-bottom:1px solid #ddd;text-align:left}</style></head><body>"
        f"<h1>Rapport de conformité – espace {html.escape(espace)}</h1>"
        f"<p>{rapport.requetes} requête(s) ; {html.escape(synthese)}</p>{sections}</body></html>"
    )


def _table(items: list[Verification]) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(v.id)}</td><td>{html.escape(v.libelle)}</td>"
        f"<td style='color:{_COLOURS[v.resultat]}'>{v.resultat}</td><td>{v.requetes}</td></tr>"
        for v in items
    )
    head = "<tr><th>id</th><th>libellé</th><th>résultat</th><th>requêtes</th></tr>"
    return f"<table>{head}{rows}</table>"
