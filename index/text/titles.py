"""Words of titles and offices, as readouts write them and as questions type them: a word after one
is a name ("foreign minister rau", "pm orban")."""
from __future__ import annotations

OFFICE_TITLES = frozenset([
    "president", "vice", "prime", "minister", "ministers", "secretary", "secretaries", "deputy", "under",
    "assistant", "ambassador", "envoy", "special", "representative", "spokesperson", "spokesman", "spokeswoman",
    "director", "chairman", "chair", "chairperson", "chancellor", "premier", "senator", "governor", "mayor",
    "king", "queen", "prince", "princess", "crown", "emir", "sheikh", "sultan", "pope", "cardinal",
    "archbishop", "bishop", "mr", "mrs", "ms", "dr", "sir", "lord", "madam", "foreign", "department",
    "ministry", "mfa", "embassy", "adviser", "advisor", "counselor", "councillor", "commissioner", "general",
    # and as typed in a hurry: "State Dept", "Sec. Blinken", "Amb. Thomas-Greenfield", "pm orban", "fm kofod"
    "dept", "govt", "gov", "amb", "sec", "secy", "pres", "min", "spox", "pm", "fm"])
# What may join the words of one name: "Treaty of Pelindaba", "Staffan de Mistura" (not "and": "Blinken
# and Kuleba" are two).
CONNECTORS = frozenset({"of", "de", "da", "di", "del", "von", "van", "der", "bin", "al", "la", "le"})
