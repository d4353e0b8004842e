from grade.document import normalise, parse


def test_kinds_and_line_numbers() -> None:
    text = "---\nprompt: 2\n---\n# Title\n\n- a bullet\n| a | b |\n```sql\nMERGE INTO t\n```\nplain prose\n"
    doc = parse(text)
    kinds = [line.kind for line in doc.lines]
    assert kinds == ["front_matter"] * 3 + ["heading", "blank", "bullet", "table", "code", "code", "code", "prose"]
    assert doc.front_matter == {"prompt": "2"}
    assert doc.lines[3].heading_text == "Title"
    assert [line.number for line in doc.lines] == list(range(1, 12))


def test_normalise_keeps_length_and_offsets() -> None:
    raw = "Exactly-Once on tenant_id/event_id — “quoted” İstanbul"
    assert len(normalise(raw)) == len(raw)
    assert normalise("Exactly-Once")[:12] == "exactly once"


def test_setext_and_bold_headings() -> None:
    doc = parse("Requirements\n============\n\n**Operations**\n")
    assert doc.lines[0].kind == "heading"
    assert doc.lines[3].kind == "heading"
    assert doc.lines[3].heading_text == "Operations"


def test_crlf_is_read_like_lf() -> None:
    assert [line.text for line in parse("a\r\nb\r\n").lines] == ["a", "b"]
