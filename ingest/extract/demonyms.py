"""English demonyms: the adjective a text uses for a country ("Polish writer" -> Poland).

Ordinary English, not domain knowledge; extraction reads "the Polish author X" as X
being a citizen of Poland, and "written in Polish" as the language. ``LANGUAGES``
are the demonyms that are also language names.

Example:
    >>> COUNTRIES["American"], "Polish" in LANGUAGES
    ('United States', True)
"""

COUNTRIES: dict[str, str] = {
    "Afghan": "Afghanistan", "Albanian": "Albania", "Algerian": "Algeria", "American": "United States",
    "Argentine": "Argentina", "Argentinian": "Argentina", "Armenian": "Armenia", "Australian": "Australia",
    "Austrian": "Austria", "Belgian": "Belgium", "Brazilian": "Brazil", "British": "United Kingdom",
    "Bulgarian": "Bulgaria", "Canadian": "Canada", "Chilean": "Chile", "Chinese": "China", "Colombian": "Colombia",
    "Croatian": "Croatia", "Cuban": "Cuba", "Czech": "Czech Republic", "Danish": "Denmark", "Dutch": "Netherlands",
    "Egyptian": "Egypt", "English": "United Kingdom", "Estonian": "Estonia", "Finnish": "Finland", "French": "France",
    "Georgian": "Georgia", "German": "Germany", "Greek": "Greece", "Hungarian": "Hungary", "Icelandic": "Iceland",
    "Indian": "India", "Indonesian": "Indonesia", "Iranian": "Iran", "Iraqi": "Iraq", "Irish": "Ireland",
    "Israeli": "Israel", "Italian": "Italy", "Japanese": "Japan", "Kenyan": "Kenya", "Korean": "South Korea",
    "Latvian": "Latvia", "Lithuanian": "Lithuania", "Mexican": "Mexico", "Moroccan": "Morocco",
    "New Zealand": "New Zealand", "Nigerian": "Nigeria", "Norwegian": "Norway", "Pakistani": "Pakistan",
    "Peruvian": "Peru", "Polish": "Poland", "Portuguese": "Portugal", "Romanian": "Romania", "Russian": "Russia",
    "Scottish": "United Kingdom", "Serbian": "Serbia", "Slovak": "Slovakia", "Slovenian": "Slovenia",
    "South African": "South Africa", "Soviet": "Soviet Union", "Spanish": "Spain", "Swedish": "Sweden",
    "Swiss": "Switzerland", "Taiwanese": "Taiwan", "Thai": "Thailand", "Turkish": "Turkey",
    "Ukrainian": "Ukraine", "Venezuelan": "Venezuela", "Vietnamese": "Vietnam", "Welsh": "United Kingdom",
}

LANGUAGES: frozenset[str] = frozenset({
    "Albanian", "Armenian", "Bulgarian", "Chinese", "Croatian", "Czech", "Danish", "Dutch", "English", "Estonian",
    "Finnish", "French", "Georgian", "German", "Greek", "Hungarian", "Icelandic", "Indonesian", "Italian", "Japanese",
    "Korean", "Latvian", "Lithuanian", "Norwegian", "Polish", "Portuguese", "Romanian", "Russian", "Serbian",
    "Slovak", "Slovenian", "Spanish", "Swedish", "Thai", "Turkish", "Ukrainian", "Vietnamese", "Welsh",
})
