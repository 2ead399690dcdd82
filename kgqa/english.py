"""Just enough English morphology for the words ontologies use.

Linking, question synthesis and verbalization turn lexicalisations into surface
forms: plurals of class names ("which *books*"), the base form of a verb for
do-support ("which books did X *write*?") and its past tense ("who *wrote* X?"). A
small table of irregular verbs plus the regular rules covers the words ontologies use.

Example:
    >>> plural("city"), plural("person"), plural("series")
    ('cities', 'people', 'series')
    >>> base_verb("written"), base_verb("directed"), base_verb("won"), base_verb("based")
    ('write', 'direct', 'win', 'base')
    >>> past_tense("write"), past_tense("direct"), past_tense("translate")
    ('wrote', 'directed', 'translated')
    >>> gerund("win"), gerund("write"), gerund("direct")
    ('winning', 'writing', 'directing')
"""

from __future__ import annotations

# base, past, past participle
_IRREGULAR = [
    ("be", "was", "been"), ("bear", "bore", "born"), ("become", "became", "become"), ("begin", "began", "begun"),
    ("build", "built", "built"), ("buy", "bought", "bought"), ("choose", "chose", "chosen"), ("come", "came", "come"),
    ("do", "did", "done"), ("draw", "drew", "drawn"), ("drive", "drove", "driven"), ("eat", "ate", "eaten"),
    ("fall", "fell", "fallen"), ("feed", "fed", "fed"), ("find", "found", "found"), ("fly", "flew", "flown"),
    ("forget", "forgot", "forgotten"), ("get", "got", "gotten"), ("give", "gave", "given"), ("go", "went", "gone"),
    ("grow", "grew", "grown"), ("have", "had", "had"), ("hold", "held", "held"), ("keep", "kept", "kept"),
    ("know", "knew", "known"), ("lay", "laid", "laid"), ("lead", "led", "led"), ("leave", "left", "left"),
    ("lend", "lent", "lent"), ("lie", "lay", "lain"), ("lose", "lost", "lost"), ("make", "made", "made"),
    ("mean", "meant", "meant"), ("meet", "met", "met"), ("pay", "paid", "paid"), ("put", "put", "put"),
    ("read", "read", "read"), ("ride", "rode", "ridden"), ("rise", "rose", "risen"), ("run", "ran", "run"),
    ("say", "said", "said"), ("see", "saw", "seen"), ("sell", "sold", "sold"), ("send", "sent", "sent"),
    ("set", "set", "set"), ("shoot", "shot", "shot"), ("sing", "sang", "sung"), ("sit", "sat", "sat"),
    ("speak", "spoke", "spoken"), ("spend", "spent", "spent"), ("stand", "stood", "stood"),
    ("steal", "stole", "stolen"), ("swim", "swam", "swum"), ("take", "took", "taken"), ("teach", "taught", "taught"),
    ("tell", "told", "told"), ("think", "thought", "thought"), ("throw", "threw", "thrown"),
    ("understand", "understood", "understood"), ("wear", "wore", "worn"), ("win", "won", "won"),
    ("write", "wrote", "written"), ("bring", "brought", "brought"), ("fight", "fought", "fought"),
    ("hang", "hung", "hung"), ("hear", "heard", "heard"), ("hide", "hid", "hidden"), ("light", "lit", "lit"),
    ("shake", "shook", "shaken"), ("shine", "shone", "shone"), ("sink", "sank", "sunk"), ("strike", "struck", "struck"),
    ("tear", "tore", "torn"), ("wake", "woke", "woken"), ("overthrow", "overthrew", "overthrown"),
    ("die", "died", "died"), ("flee", "fled", "fled"), ("found", "founded", "founded"),
]
_BASE_OF = {form: base for base, *forms in _IRREGULAR for form in forms}
_PAST_OF = {base: past for base, past, _ in _IRREGULAR}
_PARTICIPLE_OF = {base: part for base, _, part in _IRREGULAR}
IRREGULAR_PLURALS = {"person": "people", "child": "children", "man": "men", "woman": "women", "series": "series",
           "species": "species", "headquarters": "headquarters", "people": "people", "fish": "fish"}
_VOWELS = set("aeiou")
# Stems whose -ed form drops only "d" (base ends in a silent e): "based" -> "base".
_E_ENDINGS = ("at", "as", "ic", "iz", "is", "ur", "ov", "lv", "rv", "ud", "id", "od", "uc", "nc", "rc", "rg",
              "dg", "ag", "ut", "uat", "ar", "ir", "ib", "ad", "am", "im", "um", "om", "on", "in", "ap", "ip",
              "ot", "iv", "av", "ev", "ul", "pl", "bl", "gl", "kl", "tl", "dl", "fl", "cl", "zl", "ak", "ok",
              "ik", "yz", "ys", "ns", "rs", "ls", "ps", "os", "us")


def plural(noun: str) -> str:
    """The plural of a noun or of the last word of a noun phrase."""
    head, _, last = noun.rpartition(" ")
    word = last.lower()
    if word in IRREGULAR_PLURALS:
        out = IRREGULAR_PLURALS[word]
    elif word.endswith(("s", "x", "z", "ch", "sh")):
        out = word + "es"
    elif word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        out = word[:-1] + "ies"
    else:
        out = word + "s"
    if last[:1].isupper():
        out = out[:1].upper() + out[1:]
    return f"{head} {out}" if head else out


def base_verb(form: str) -> str:
    """The base form of a past tense or past participle ("wrote", "directed" -> "write", "direct")."""
    word = form.lower()
    if word in _BASE_OF:
        return _BASE_OF[word]
    if not word.endswith("ed") or len(word) < 4:
        return word
    stem = word[:-2]
    if word.endswith("ied"):
        return word[:-3] + "y"
    if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in "ls" and stem[-1] not in _VOWELS:
        return stem[:-1]  # "starred" -> "star"
    if stem.endswith(_E_ENDINGS) or stem.endswith(("c", "v", "u")):
        return stem + "e"
    return stem


def past_tense(base: str) -> str:
    """The simple past of a base verb."""
    word = base.lower()
    if word in _PAST_OF:
        return _PAST_OF[word]
    return _regular_ed(word)


def past_participle(base: str) -> str:
    """The past participle of a base verb."""
    word = base.lower()
    if word in _PARTICIPLE_OF:
        return _PARTICIPLE_OF[word]
    return _regular_ed(word)


def _regular_ed(word: str) -> str:
    if word.endswith("e"):
        return word + "d"
    if word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        return word[:-1] + "ied"
    return word + "ed"


def is_past_form(word: str) -> bool:
    """True for words that look like a past tense or participle ("wrote", "based", "born")."""
    w = word.lower()
    return w in _BASE_OF or (w.endswith("ed") and len(w) > 3)


def gerund(base: str) -> str:
    """The -ing form of a base verb ("win" -> "winning", "write" -> "writing")."""
    word = base.lower()
    if word.endswith("ie"):
        return word[:-2] + "ying"
    if word.endswith("e") and not word.endswith(("ee", "ye", "oe")):
        return word[:-1] + "ing"
    if len(word) >= 3 and word[-1] not in _VOWELS | {"w", "x", "y"} and word[-2] in _VOWELS and word[-3] not in _VOWELS \
            and len(word) <= 4:
        return word + word[-1] + "ing"  # short consonant-vowel-consonant verbs: win, run, star
    return word + "ing"
