from grade.core.document import normalise, parse


def test_kinds_and_line_numbers() -> None:
    text = "---\nprompt: 2\n---\n# Title\n\n- a bullet\n| a | b |\n```sql\nMERGE INTO t\n```\nplain prose\n"
    doc = parse(text)
    kinds = [line.kind for line in doc.lines]
    assert kinds == ["front_matter"] * 3 + ["title", "blank", "bullet", "table", "code", "code", "code", "prose"]
    assert doc.front_matter == {"prompt": "2"}
    assert doc.lines[3].heading_text == "Title"
    assert [line.number for line in doc.lines] == list(range(1, 12))


def test_normalise_keeps_length_and_offsets() -> None:
    raw = "Exactly-Once on tenant_id/event_id — “quoted” İstanbul"
    assert len(normalise(raw)) == len(raw)
    assert normalise("Exactly-Once")[:12] == "exactly once"


def test_setext_and_bold_headings() -> None:
    doc = parse("Requirements\n============\n\n**Operations**\n\nStorage\n=======\n")
    assert doc.lines[0].kind == "heading"
    assert doc.lines[3].kind == "heading"
    assert doc.lines[3].heading_text == "Operations"


def test_crlf_is_read_like_lf() -> None:
    assert [line.text for line in parse("a\r\nb\r\n").lines] == ["a", "b"]


def test_a_hard_wrapped_paragraph_is_one_block() -> None:
    doc = parse("We dedupe every event on its event_id because the SDK\nretries; ids are kept for 24 hours.\n")
    assert len(doc.blocks) == 1
    assert "sdk retries; ids are kept" in doc.norm


def test_list_item_continuations_join_their_item_only() -> None:
    doc = parse("- first item that is long enough to have been\n  wrapped by an editor\n- second item\n")
    assert [(b.first_line, b.last_line) for b in doc.blocks] == [(1, 2), (3, 3)]
    assert "have been wrapped by" in doc.norm


def test_short_label_lines_are_not_joined() -> None:
    doc = parse("Latency: 5 s\nScale: 2k/s\n")
    assert len(doc.blocks) == 2


def test_block_quote_markers_are_not_read() -> None:
    doc = parse("> the dashboards must be fresh within\n> two minutes of the event\n")
    assert doc.norm == "the dashboards must be fresh within two minutes of the event"


def test_html_comments_are_never_read() -> None:
    doc = parse("<!-- guidance: mention idempotency\nand watermarks -->\n"
                "## Requirements\nreal text <!-- hidden --> here\n")
    assert "idempotency" not in doc.norm and "hidden" not in doc.norm
    assert [line.kind for line in doc.lines][:2] == ["comment", "comment"]
    assert "real text" in doc.norm and "here" in doc.norm


def test_title_is_not_a_section_but_names_the_design() -> None:
    doc = parse("# CDC lakehouse for orders\n\n## Requirements\n- fresh in 5 min\n")
    assert doc.lines[0].kind == "title"
    assert [h.heading_text for h in doc.headings] == ["Requirements"]
    assert "cdc lakehouse" in doc.title_norm and "cdc" not in doc.norm


def test_a_short_first_line_alone_is_a_title() -> None:
    assert parse("Realtime engagement analytics design\n\nWe ingest events.\n").lines[0].kind == "title"
    assert parse("We ingest events with Kafka.\n\nMore.\n").lines[0].kind == "prose"


def test_offsets_map_back_to_the_line_and_its_text() -> None:
    text = "Intro line that is long enough to be wrapped over\n  two lines: MERGE on id.\n"
    doc = parse(text)
    at = doc.norm.index("merge")
    assert doc.line_at(at).number == 2
    assert doc.text[doc.raw_offset(at):doc.raw_offset(at) + 5] == "MERGE"


def test_a_line_wrapped_just_after_a_colon_mid_sentence_is_joined() -> None:
    # an editor broke a long sentence right after its ':'; the lower-case next line goes on with it
    wrapped = ("We keep one copy of the events and derive two things from it:\n"
               "per-tenant rollups for the API and the nightly marts.\n")
    doc = parse(wrapped)
    assert len(doc.blocks) == 1
    assert "from it: per tenant rollups" in doc.norm
    assert doc.norm == parse(wrapped.replace(":\n", ": ")).norm


def test_a_short_lead_in_ending_in_a_colon_still_introduces_its_block() -> None:
    assert len(parse("Trade-offs:\nwe pay for two stores.\n").blocks) == 2
    assert len(parse("The plan has these three parts to it:\nIngestion first.\n").blocks) == 2
    assert len(parse("We considered several options for storage here:\n- Iceberg\n").blocks) == 2


def test_the_short_tail_of_a_wrapped_paragraph_ending_in_a_colon_is_no_lead_in() -> None:
    # an editor wrapping at 64 columns leaves "batches harmless:" alone on a line; it still goes on
    wide = ("That last condition is what makes reruns and out-of-order batches harmless:\n"
            "running the same window twice lands on the same table.\n")
    narrow = ("That last condition is what makes reruns and out-of-order\nbatches harmless:\n"
              "running the same window twice lands on the same table.\n")
    assert len(parse(wide).blocks) == len(parse(narrow).blocks) == 1
    assert parse(wide).norm == parse(narrow).norm


def test_the_short_tail_of_a_wrapped_paragraph_stays_in_it_before_a_capital_too() -> None:
    # re-wrapped at 64 columns, "all of this:" leaves "this:" alone and the next sentence starts with a
    # name: the paragraph is one block at every width, as it was before the re-wrap
    for writer_break in ("wraps around all of\nthis:\n", "wraps around\nall of this:\n"):
        text = ("In words, data lands in the lake and is consumed in Power BI. The quality layer " + writer_break
                + "Purview scans everything, Azure Monitor collects all signals, and the results go on a dashboard.\n")
        assert len(parse(text).blocks) == 1, writer_break


def test_a_line_broken_after_a_colon_before_a_capital_that_did_not_fit_is_one_sentence() -> None:
    import textwrap

    paragraph = ("We land every change event in one place before anything else reads it: Kafka keyed "
                 "by order_id, so replays stay ordered per key and consumers rebuild from any offset.")
    breaks_after_colon = 0
    for width in range(30, 100):
        wrapped = textwrap.fill(paragraph, width=width) + "\n"
        breaks_after_colon += ":\nKafka" in wrapped
        assert len(parse(wrapped).blocks) == 1, width
        assert parse(wrapped).norm == parse(paragraph + "\n").norm.replace("\n", " "), width
    assert breaks_after_colon  # some width does break the line just after the colon


def test_a_lead_in_whose_next_word_would_have_fitted_stays_a_lead_in() -> None:
    text = ("We considered three options for the storage layer here:\n"
            "Iceberg on S3 with Glue as the catalog, which the platform team already\n"
            "runs for the other domains and knows how to operate at our scale.\n")
    assert len(parse(text).blocks) == 2


def test_a_title_hard_wrapped_over_two_lines_is_still_the_title() -> None:
    one = "**Feature store on Snowflake (we're already all-in, so no new infra)**\n\n- Offline features\n"
    two = "**Feature store on Snowflake (we're already all-in, so no new\ninfra)**\n\n- Offline features\n"
    for text in (one, two):
        doc = parse(text)
        assert [ln.kind for ln in doc.lines][:3] != ["prose"] * 3
        assert "snowflake" not in doc.norm and "snowflake" in doc.title_norm
    # a two-line paragraph that ends like a sentence is no title
    assert parse("We use Snowflake for everything here\nbecause the team knows it.\n\nMore.\n").lines[0].kind == "prose"
