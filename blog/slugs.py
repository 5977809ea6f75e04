"""The one rule that turns a title, a tag or a name into a URL slug.

Latin letters lose their accents (``diseño`` → ``diseno``) so that
``Ingeniería de Prompts`` and ``ingenieria-de-prompts`` are one tag, while
letters of other scripts are kept as they are (a Japanese or Arabic title
gives a Unicode slug instead of an empty one). Tags, authors and posts all
call :func:`make_slug`; nothing else in the project slugifies.
"""

import functools
import re
import unicodedata

# Latin letters that do not decompose into a base letter and an accent.
_LATIN_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "TH",
        "ħ": "h",
        "Ħ": "H",
        "ı": "i",
    }
)
# "C++" and "C#" must not both become "c".
_SYMBOL_WORDS = [(re.compile(r"\+"), " plus "), (re.compile(r"(?<=\w)#"), " sharp ")]


def fold_latin(text):
    """Strip accents from Latin letters only; other scripts are left alone.

    Decomposing every character (NFKD) and dropping all combining marks would
    also strip the vowel signs of Devanagari or Tamil, changing the words.
    """
    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFKD", char)
        if decomposed[0].isascii() and all(unicodedata.combining(c) for c in decomposed[1:]):
            out.append(decomposed[0])
        else:
            out.append(char)
    return "".join(out).translate(_LATIN_LETTERS)


@functools.lru_cache(maxsize=4096)  # an import asks for the same tags' and authors' slugs thousands of times
def make_slug(text, max_length=200):
    """Return the slug for ``text``: lowercase, hyphenated, possibly empty."""
    text = fold_latin(str(text))
    for pattern, word in _SYMBOL_WORDS:
        text = pattern.sub(word, text)
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"(?<=\w)['’](?=\w)", "", text)  # "it's" → "its", as people write slugs
    # Letters, digits and combining marks make words; anything else separates
    # them. Django's slugify drops combining marks, which mangles Devanagari
    # and Tamil words, hence this loop.
    chars = [c if unicodedata.category(c)[0] in "LNM" else "-" for c in text]
    slug = re.sub(r"-{2,}", "-", "".join(chars)).strip("-")
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        slug = cut[:-1] if cut.endswith("-") else (cut[:-1].rsplit("-", 1)[0] or cut[:-1])
    return slug
