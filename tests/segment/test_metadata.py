"""Bylines, datelines and boilerplate recognised by the shape of a line, whatever the outlet."""

from __future__ import annotations

import pytest

from curation.segment.articles import ArticleSettings, _rules

RULES = _rules(ArticleSettings()).metadata


@pytest.mark.parametrize(
    "line",
    [
        "القاهرة - أحمد الريدي",
        "أحمد الريدي – القاهرة",
        "القاهرة ـ أحمد الريدي",
        "علي حسن / بغداد",
        "محمد علي- الشرق الأوسط- بيروت:",
        "بقلم: سارة الأحمد",
        "كتب - محمود عبد الله",
        "واس",
        "(أ.ف.ب)",
        "أ ف ب",
        "editor@example.com",
        "@ahmed_news",
    ],
)
def test_byline_shapes(line: str) -> None:
    assert RULES.line_kind(line) == "byline"


@pytest.mark.parametrize(
    "line",
    [
        "باماكو، 6 نوفمبر 2025",
        "القاهرة (رويترز)",
        "الرياض 15 جمادى الأولى 1447 هـ الموافق 06 نوفمبر 2025 م واس",
        "الخميس 6 نوفمبر 2025 - 18:07",
        "1447/05/15 هـ",
        "بيروت في 3 تشرين الثاني 2025",
        "الجزائر 12 جوان 2025 (واج)",
    ],
)
def test_dateline_shapes_gregorian_and_hijri(line: str) -> None:
    assert RULES.line_kind(line) == "dateline", line


@pytest.mark.parametrize(
    "line",
    [
        "// انتهى //",
        "ـ (انتهى) ـ",
        "18:07 ت م",
        "10:30 GMT",
        "سمات: مالي، القاعدة، باماكو",
        "الوسوم الحكومة الموازنة",
        "شارك الخبر",
        "فيسبوك | تويتر | واتساب",
        "رابط الخبر: https://example.com/news/1",
        "https://example.com/news/1",
        "Link to this story at example.com",
        "جميع الحقوق محفوظة © 2025",
    ],
)
def test_boilerplate_shapes(line: str) -> None:
    assert RULES.line_kind(line) == "boilerplate"


@pytest.mark.parametrize(
    "line",
    [
        "هل تتدخل الولايات المتحدة «عسكرياً» لصد «القاعدة» في مالي؟",
        "وزير النقل يفتتح خط القطار السريع بين المدينتين",
        "قال الوزير إن الوضع خطير.",
        "مصر تحتفل بعيد 6 أكتوبر",
        "الأهلي يفوز على الزمالك 2-1",
        "تكلفة المشروع",
        "وقال المتحدث في بيان - نشر اليوم - إن الاتفاق قريب.",
        "عبدالقادر محمد ـ مراسل إعلامي في الرياض وأكد أن الخبر صحيح.",
    ],
)
def test_titles_and_sentences_are_not_metadata(line: str) -> None:
    assert RULES.line_kind(line) is None


@pytest.mark.parametrize(
    ("paragraph", "prefix", "kind"),
    [
        ("القاهرة (رويترز) - قال الوزير إن المحادثات مستمرة.", "القاهرة (رويترز)", "dateline"),
        ("باريس - (أ ف ب): قال الرئيس إن الحوار مستمر.", "باريس - (أ ف ب)", "dateline"),
        ("القاهرة - أعلن الجيش اليوم عن مناورات.", "القاهرة", "dateline"),
        ("MADRID — Rafael Nadal kept Spain's hopes alive.", "MADRID", "dateline"),
        ("محمد علي- الشرق الأوسط- بيروت: أعلن الجيش اليوم.", "محمد علي- الشرق الأوسط- بيروت", "byline"),
        (
            "الرياض 15 جمادى الأولى 1447 هـ الموافق 06 نوفمبر 2025 م واس - أعلنت الوزارة.",
            "الرياض 15 جمادى الأولى 1447 هـ الموافق 06 نوفمبر 2025 م واس",
            "dateline",
        ),
    ],
)
def test_a_dateline_or_byline_glued_before_the_first_sentence(paragraph: str, prefix: str, kind: str) -> None:
    cut = RULES.glued_prefix(paragraph)
    assert cut is not None and paragraph[: cut[0]] == prefix and cut[2] == kind
    assert paragraph[cut[1] :][0].isalpha()


@pytest.mark.parametrize(
    "paragraph",
    [
        "قال الوزير - في بيان - إن المحادثات مستمرة.",
        "وأضاف: إن الوضع مستقر.",
        "الرئيس: لن نتراجع عن القرار.",
        "فجرت كوريا الشمالية - كما يبدو - أنفاقا في موقع التجارب النووية.",
        "Two hostages — an American and an Australian — were freed on Tuesday.",
    ],
)
def test_sentences_with_dashes_or_colons_keep_their_start(paragraph: str) -> None:
    assert RULES.glued_prefix(paragraph) is None


def test_word_lists_are_package_data_and_editable_through_settings() -> None:
    settings = ArticleSettings()
    assert "واس" in settings.agencies and "انتهى" in settings.sign_offs and "فيديو" in settings.title_tags
    custom = _rules(ArticleSettings(agencies=("وكالة المدينة",))).metadata
    assert custom.line_kind("وكالة المدينة") == "byline"
    assert custom.line_kind("واس") is None


@pytest.mark.parametrize("title", ["نمضي معا", "السلطنة العمانية", "مستقبل الشرق الأوسط"])
def test_a_headline_ending_in_a_word_that_names_an_agency_is_not_a_dateline(title: str) -> None:
    assert RULES.line_kind(title) is None


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("العربية.نت - عماد الحكمي، مريم الجابر", "byline"),
        ("نيويورك، سان فرانسيسكو - رويترز", "byline"),
        ("كان (جنوب فرنسا) (رويترز)", "dateline"),
        ("نيويورك، سان فرانسيسكو (رويترز)", "dateline"),
    ],
)
def test_several_writers_or_places_and_a_place_with_its_region(line: str, kind: str) -> None:
    assert RULES.line_kind(line) == kind


def test_a_comma_list_in_prose_is_not_a_byline() -> None:
    assert RULES.line_kind("الحكومة، والمعارضة، والنقابات، والأحزاب - في اجتماع واحد") is None


def test_a_glued_dateline_before_bidi_marks_is_found() -> None:
    line = "الأراضي اليمنية (رويترز) - \u200f\u202b\u202cسيطرت القوات على الجبل."
    prefix_end, rest, kind = RULES.glued_prefix(line)
    assert (line[:prefix_end], kind) == ("الأراضي اليمنية (رويترز)", "dateline")
    assert line[rest:].startswith("\u200f")


@pytest.mark.parametrize(
    ("line", "dateline"),
    [
        ("دبي، الإمارات العربية المتحدة (CNN)-- وافق مجلس النواب على الاتفاقية.", "دبي، الإمارات العربية المتحدة (CNN)"),
        ("واشنطن، الولايات المتحدة الأمريكية (CNN) -- أكد وزير الدفاع أنه التقى نظيره.", "واشنطن، الولايات المتحدة الأمريكية (CNN)"),
        ("موسكو، روسيا (CNN) – أكد المتحدث أن بلاده تراقب التطورات.", "موسكو، روسيا (CNN)"),
        ("نيويورك، الولايات المتحدة الأمريكية (CNN)— قالت المحللة انا- ماري سلاوتر إن الأزمة تتفاقم.",
         "نيويورك، الولايات المتحدة الأمريكية (CNN)"),
    ],
)
def test_a_place_with_its_country_and_a_bracketed_outlet_glued_before_sentence_1(line: str, dateline: str) -> None:
    prefix_end, _, kind = RULES.glued_prefix(line)
    assert (line[:prefix_end], kind) == (dateline, "dateline")


def test_a_photo_caption_is_not_a_dateline() -> None:
    assert RULES.line_kind("جنود يعبرون النهر الكبير (رويترز)") is None


def test_a_clause_before_a_bracketed_outlet_is_not_a_dateline() -> None:
    assert RULES.glued_prefix("قالت هيئة الإذاعة البريطانية (بي.بي.سي) إن الحكومة وافقت على الخطة.") is None


def test_a_byline_word_opening_a_question_is_not_a_byline() -> None:
    assert RULES.line_kind("مراسلة: ما هي مشكلتهم (منظمة حظر الأسلحة الكيمياوية)") is None


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("القاهرة/ أحمد علي", "byline"),
        ("المصدر: وكالات", "byline"),
        ("وكالات", "byline"),
        ("تصوير: سامي خليل", "byline"),
        ("تابعونا على فيسبوك وتويتر", "boilerplate"),
        ("للمزيد اضغط هنا", "boilerplate"),
        ("نشر في: 12 مايو 2024", "dateline"),
    ],
)
def test_more_outlets_credit_and_footer_lines(line: str, kind: str) -> None:
    assert RULES.line_kind(line) == kind


def test_a_slash_inside_prose_is_no_byline() -> None:
    assert RULES.line_kind("وقال الوزير إن الحكومة و/أو البرلمان سيقرران.") is None


# --- outlet conventions beyond the bench's first layouts (bench/segment.py --only pages) ----------


@pytest.mark.parametrize(
    ("paragraph", "dateline"),
    [
        ("القاهرة في 23 نوفمبر /أ ش أ/ أكد وزير الخارجية أن المحادثات ستستأنف.", "القاهرة في 23 نوفمبر /أ ش أ/"),
        ("أبوظبي في 5 أغسطس / وام / أعلنت الحكومة خطة جديدة للنقل.", "أبوظبي في 5 أغسطس / وام /"),
    ],
)
def test_an_agency_between_slashes_closes_a_glued_dateline(paragraph: str, dateline: str) -> None:
    prefix_end, rest, kind = RULES.glued_prefix(paragraph)
    assert (paragraph[:prefix_end], kind) == (dateline, "dateline")
    assert paragraph[rest:].startswith(("أكد", "أعلنت"))
    assert RULES.line_kind(dateline) == "dateline"


def test_a_slash_between_month_names_does_not_end_a_dateline() -> None:
    assert RULES.glued_prefix("بيروت في 5 تموز/ يوليو قال الرئيس إن المحادثات انتهت.") is None


@pytest.mark.parametrize("line", ["ع ا ش", "م د", "ع ح/ ب ط", "ح.ص", "م.ش/ر.ج"])
def test_editors_initials_closing_a_wire_story_are_boilerplate(line: str) -> None:
    assert RULES.line_kind(line) == "boilerplate"


@pytest.mark.parametrize(
    "line", ["وام/رضا عبدالنور/أحمد البوتلي", "فرانس24/ أ ف ب", "فرانس 24/ أ ف ب/ رويترز", "دمشق-سانا"]
)
def test_an_agency_or_outlet_signature_after_slashes_is_a_byline(line: str) -> None:
    assert RULES.line_kind(line) == "byline"


def test_a_copyright_mark_after_a_sentence_leaves_the_sentence_to_the_story() -> None:
    assert RULES.line_kind('وقال "سنقدم الخطة بحلول يونيو". © جميع الحقوق محفوظة') is None
    assert RULES.line_kind("© جميع الحقوق محفوظة لصحيفة الوطن 2018") == "boilerplate"


def test_a_line_of_hashtags_is_boilerplate_and_one_hashtag_is_not() -> None:
    assert RULES.line_kind("#الولايات #المتحدة #تصعّد") == "boilerplate"
    assert RULES.line_kind("#ارحل_يا_كيكي") is None  # ANT quotes a campaign's hashtag as a paragraph
