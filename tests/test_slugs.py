"""make_slug: the one rule that turns titles, tags and names into URL slugs."""

import pytest

from blog.slugs import make_slug


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("diseño", "diseno"),
        ("Ingeniería de Prompts", "ingenieria-de-prompts"),
        ("Tiếng Việt", "tieng-viet"),
    ],
)
def test_make_slug_folds_accents_on_latin_letters(text, slug):
    assert make_slug(text) == slug


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("日本語のタイトル", "日本語のタイトル"),
        ("مرحبا بالعالم", "مرحبا-بالعالم"),
        ("Привет, мир", "привет-мир"),
        # Vowel signs and viramas are combining marks; dropping them changes the words.
        ("नमस्ते दुनिया", "नमस्ते-दुनिया"),
    ],
)
def test_make_slug_keeps_letters_of_other_scripts(text, slug):
    assert make_slug(text) == slug


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("C++", "c-plus-plus"),
        ("C#", "c-sharp"),
    ],
)
def test_make_slug_spells_out_symbols_that_name_languages(text, slug):
    assert make_slug(text) == slug


def test_make_slug_keeps_c_plus_plus_and_c_sharp_apart():
    assert make_slug("C++") != make_slug("C#")


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("it's", "its"),
        ("Don’t panic", "dont-panic"),
    ],
)
def test_make_slug_drops_apostrophes_inside_words(text, slug):
    assert make_slug(text) == slug


@pytest.mark.parametrize("text", ["IA generativa", "ia generativa", "IA Generativa", "ia-generativa"])
def test_make_slug_gives_one_slug_for_spellings_of_one_name(text):
    assert make_slug(text) == "ia-generativa"


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("  Hello,   World!  ", "hello-world"),
        ("Version 2.0 (beta)", "version-2-0-beta"),
    ],
)
def test_make_slug_joins_words_with_single_hyphens(text, slug):
    assert make_slug(text) == slug


@pytest.mark.parametrize(
    ("text", "max_length", "slug"),
    [
        ("hello wonderful world", 12, "hello"),
        ("hello wonderful world", 16, "hello-wonderful"),
        # The cut falls exactly between two words: the whole first two fit.
        ("hello world foo", 11, "hello-world"),
        # One word longer than the limit is cut inside the word rather than emptied.
        ("supercalifragilistic", 5, "super"),
    ],
)
def test_make_slug_cuts_at_a_word_boundary_within_max_length(text, max_length, slug):
    assert make_slug(text, max_length=max_length) == slug


def test_make_slug_default_length_is_at_most_200():
    slug = make_slug("word " * 100)

    assert len(slug) == 199
    assert slug.endswith("word")


def test_make_slug_is_empty_for_punctuation_only():
    assert make_slug("!!! ??? ...") == ""
