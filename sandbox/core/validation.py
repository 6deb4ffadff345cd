"""pydantic's validation errors in French: what was expected, for a person to read.

The one table of the sentences: the OPCO API's `FORMAT_INVALIDE` details and a scenario's
problems both read it, so that no English sentence of pydantic reaches anyone.
"""

from collections.abc import Mapping
from typing import Any

# pydantic's error `type` → the sentence; the bound in the error's context, when it has
# one, is added in parentheses (`PRECISIONS`: the context's field, how it reads).
SENTENCES = {
    "missing": "ce champ est obligatoire.",
    "extra_forbidden": "ce champ n'est pas prévu.",
    "string_type": "une chaîne de caractères est attendue.",
    "string_unicode": "une chaîne de caractères est attendue.",
    "string_pattern_mismatch": "la valeur ne respecte pas le format attendu.",
    "string_too_short": "la valeur est trop courte.",
    "string_too_long": "la valeur est trop longue.",
    "int_type": "un nombre entier est attendu.",
    "int_parsing": "un nombre entier est attendu.",
    "int_from_float": "un nombre entier est attendu.",
    "int_parsing_size": "le nombre est trop grand.",
    "float_type": "un nombre est attendu.",
    "float_parsing": "un nombre est attendu.",
    "finite_number": "un nombre fini est attendu.",
    "bool_type": "un booléen (true ou false) est attendu.",
    "bool_parsing": "un booléen (true ou false) est attendu.",
    "decimal_type": "un nombre est attendu.",
    "decimal_parsing": "un nombre est attendu.",
    "decimal_max_places": "le nombre a trop de décimales.",
    "decimal_max_digits": "le nombre a trop de chiffres.",
    "decimal_whole_digits": "le nombre a trop de chiffres avant la virgule.",
    "greater_than_equal": "la valeur est trop petite.",
    "greater_than": "la valeur est trop petite.",
    "less_than_equal": "la valeur est trop grande.",
    "less_than": "la valeur est trop grande.",
    "multiple_of": "la valeur n'est pas un multiple attendu.",
    "literal_error": "la valeur n'est pas autorisée.",
    "enum": "la valeur n'est pas autorisée.",
    "date_type": "une date au format AAAA-MM-JJ est attendue.",
    "date_parsing": "une date au format AAAA-MM-JJ est attendue.",
    "date_from_datetime_parsing": "une date au format AAAA-MM-JJ est attendue.",
    "date_from_datetime_inexact": "une date sans heure (AAAA-MM-JJ) est attendue.",
    "model_type": "un objet JSON est attendu.",
    "model_attributes_type": "un objet JSON est attendu.",
    "dict_type": "un objet JSON est attendu.",
    "list_type": "une liste est attendue.",
    "too_short": "la liste est trop courte.",
    "too_long": "la liste est trop longue.",
    "none_required": "la valeur doit être null.",
    "union_tag_invalid": "la valeur ne correspond à aucune des formes attendues.",
    "union_tag_not_found": "la valeur ne correspond à aucune des formes attendues.",
    "recursion_loop": "la valeur s'imbrique en boucle.",
}
PRECISIONS = {
    "string_too_short": ("min_length", "{} caractère{s} au moins"),
    "string_too_long": ("max_length", "{} caractère{s} au plus"),
    "too_short": ("min_length", "{} élément{s} au moins"),
    "too_long": ("max_length", "{} élément{s} au plus"),
    "greater_than_equal": ("ge", "{} au moins"),
    "greater_than": ("gt", "plus de {}"),
    "less_than_equal": ("le", "{} au plus"),
    "less_than": ("lt", "moins de {}"),
    "multiple_of": ("multiple_of", "multiple de {}"),
    "decimal_max_places": ("decimal_places", "{} au plus"),
    "decimal_max_digits": ("max_digits", "{} au plus"),
    "decimal_whole_digits": ("whole_digits", "{} au plus"),
}
# Errors that say only that the value is not of the type: in a union (`str | CleApi`), the
# branch whose type matched says more.
TYPE_MISMATCHES = frozenset(
    {
        "string_type",
        "int_type",
        "float_type",
        "bool_type",
        "decimal_type",
        "date_type",
        "model_type",
        "model_attributes_type",
        "dict_type",
        "list_type",
        "none_required",
    }
)
# The prefixes pydantic puts before the messages of our own validators (already French).
_OWN_PREFIXES = ("Value error, ", "Assertion failed, ")


def french_detail(error: Mapping[str, Any]) -> str | None:
    """What a pydantic error (one item of `ValidationError.errors()`) says was expected, in
    French; None for a type of error the table does not know."""
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    expected = context.get("expected")
    if kind in ("literal_error", "enum") and expected:
        return f"la valeur doit être l'une de : {_listed(str(expected))}."
    if kind in ("value_error", "assertion_error"):
        message = str(error.get("msg", ""))
        for prefix in _OWN_PREFIXES:
            message = message.removeprefix(prefix)
        return message.rstrip(".") + "."
    sentence = SENTENCES.get(kind)
    field, precision = PRECISIONS.get(kind, ("", ""))
    if sentence is None or field not in context:
        return sentence
    value = context[field]
    plural = "s" if isinstance(value, int | float) and value > 1 else ""
    return f"{sentence.rstrip('.')} ({precision.format(value, s=plural)})."


def _listed(expected: str) -> str:
    """pydantic's "'A', 'B' or 'C'" as a French list: "'A', 'B', 'C'"."""
    return ", ".join(expected.rsplit(" or ", 1))
