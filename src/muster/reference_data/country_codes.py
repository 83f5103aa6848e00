"""The three-letter codes of issuing states and nationalities (ICAO Doc 9303 Part 3).

ISO 3166-1 alpha-3, from `pycountry`, plus the codes ICAO adds for what ISO does not name.
"""

from __future__ import annotations

from functools import cache

# Doc 9303 Part 3's own codes, as they read once the zone's filler `<` is stripped.
ICAO_ADDITIONS = frozenset(
    {
        "D",  # Germany
        "EUE",  # European Union
        "GBD",  # British Overseas Territories Citizen
        "GBN",  # British National (Overseas)
        "GBO",  # British Overseas Citizen
        "GBP",  # British Protected Person
        "GBS",  # British Subject
        "UNO",  # United Nations Organization
        "UNA",  # a specialized agency of the United Nations
        "UNK",  # resident of Kosovo, documents issued by the United Nations mission
        "XBA",  # African Development Bank
        "XCC",  # Caribbean Community
        "XCE",  # Council of Europe
        "XCO",  # Common Market for Eastern and Southern Africa
        "XDC",  # Southern African Development Community
        "XEC",  # Economic Community of West African States
        "XES",  # Organisation of Eastern Caribbean States
        "XIM",  # African Export-Import Bank
        "XMP",  # Parliamentary Assembly of the Mediterranean
        "XOM",  # Sovereign Military Order of Malta
        "XPO",  # International Criminal Police Organization (INTERPOL)
        "XXA",  # stateless person
        "XXB",  # refugee (1951 Convention)
        "XXC",  # refugee (other)
        "XXX",  # unspecified nationality
    }
)


@cache
def icao_country_codes() -> frozenset[str]:
    """Every code an issuing state or nationality may carry (the specimen state `UTO` aside)."""
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.countries) | ICAO_ADDITIONS
