"""Prompt injection: the lines of an answer that address the grader instead of the design
(instructions, score demands, fake turns, our own delimiters). Such an answer is never sent."""

from __future__ import annotations

import re
import unicodedata

from ..core.document import Document, normalise

_CONFUSABLES = str.maketrans({
    "\u0430": "a", "\u0435": "e", "\u043e": "o", "\u0440": "p", "\u0441": "c", "\u0443": "y", "\u0445": "x",
    "\u0456": "i", "\u0458": "j", "\u04bb": "h", "\u0501": "d", "\u0261": "g", "\u03bf": "o", "\u03b1": "a",
    "\u03b9": "i", "\u03bd": "v", "\u0269": "i", "\u026a": "i", "\u1d00": "a", "\u0432": "b", "\u043c": "m",
    "\u0442": "t", "\u043d": "h", "\u0455": "s", "\u0391": "a", "\u0392": "b", "\u0395": "e", "\u0397": "h",
    "\u0399": "i", "\u039a": "k", "\u039c": "m", "\u039d": "n", "\u039f": "o", "\u03a1": "p", "\u03a4": "t",
    "\u0410": "a", "\u0412": "b", "\u0415": "e", "\u041a": "k", "\u041c": "m", "\u041d": "h", "\u041e": "o",
    "\u0420": "p", "\u0421": "c", "\u0422": "t", "\u0425": "x", "\u0406": "i",
})
# Who an injection talks to. Not "model" or "judge" alone: answers talk about ML models.
_ADDRESSEE = r"(ai|llm|gpt|chatgpt|claude|gemini|language model|assistant|grader|evaluator|examiner|marker)"
# What it asks for. Numbers only in a score's own terms: "return in under 100 ms" is not a demand.
_SCORE = (r"(100 ?(100|points|marks|percent)\b|full (marks|score|points|credit)|(maximum|max|perfect|top|highest|best) "
          r"(score|marks?|grade|level|rating)s?|10 ?(10|out of 10)\b|a\+|level (2|two) (for|on|to|across|everywhere)|"
          r"architect (verdict|level|grade|rating))")
# Matched against a normalised view of each line (NFKC, no zero-width characters, look-alike
# letters folded, lower case, '-', '_' and '/' as spaces), alone and joined with the next line.
_INJECTION = [re.compile(p) for p in (
    r"\b(ignore|disregard|forget|override|bypass)\b[^.\n]{0,40}\b(instructions?|rubric|grading|grader|system prompt)",
    r"\b(ignore|disregard|forget)( all| any)?( of)?( the| your| my| these)? (previous|prior|preceding|earlier|above)\b",
    r"\b(ignore|disregard|forget) everything (above|before this|you were told)",
    rf"\b(give|award|assign|grant|rate|score|grade|mark|set|output|return)\b[^.\n]{{0,50}}\b{_SCORE}"
    r"(?! (threshold|limit|cap|window|of|for (anomal|alert)))",
    r"\b(give|award|assign|grant)( (this|the|my|me|it|us))?( answer| response| design| submission| candidate)?"
    r"( a| an)? 100\s*([.!,;:]|$)",
    r"\b(every|all|each) (criteria|criterion|mechanics?|rubric (items?|lines?))\b[^.\n]{0,40}"
    r"\b(level (2|two)|substantiated|full marks)",
    r"\b(score|grade|verdict|rating)s?\s*(=|:|should be|must be)\s*(100|architect)\s*([.!,;]|$)",
    r"\b(all |every |each )?levels?\s*(=|should be|must be)\s*(2|two)\b",
    r"\bthis (answer|response|design|submission|candidate)\b[^.\n]{0,20}\b(deserves|should (get|receive|be (graded|"
    r"scored|rated|marked))) (a |an |the )?(perfect|full|top|high(est)?|maximum|max|100|architect|level|score|grade)",
    rf"\b(you are|you're|act as|acting as|pretend to be|you will act as)\b[^.\n]{{0,20}}\b{_ADDRESSEE}\b",
    r"\b(dear|hey|hi|hello|attention|note (to|for)( the)?|message (to|for)( the)?|instructions? (to|for)( the)?)"
    rf"\s+{_ADDRESSEE}\b",
    rf"(^|[\s>*#\[(])(the )?{_ADDRESSEE}\s*[,:]\s*(please|you|ignore|give|output|respond|return|set|mark|rate|score)\b",
    r"\b(system|developer)\s+(prompt|message|instructions?|override)\b",
    r"^[\s>*#`\[(]*(system|assistant|developer)\s*[\]):][^\n]{0,60}\b(you|ignore|grade|score|rubric|levels?|criteri"
    r"|instructions?|answer|candidate|rate|marks?|verdict|architect)",
    r"<\|?\s*/?\s*(im ?start|im ?end|system|assistant|endoftext|user|instructions?)\s*\|?>",
    r"\b(new|updated|revised|real|actual|hidden|secret) instructions?\s*(:|!|are\b|follow|below|override)",
    r"\b(respond|reply|answer) (only )?(with|in)\b[^.\n]{0,30}\b(levels?|score)\b",
    r"[\"']level[\"']\s*:\s*2",
    r"(<{3}|\u2039{3})\s*(end|begin|answer)|\bend of (the )?(untrusted )?answer\s*(>{3}|\u203a{3})",
    r"\b(jailbreak|do anything now|dan mode)\b",
    r"\b(grading|scoring|marking|grader|evaluator) (note|instruction|override|directive)s?\b",
    r"\bdo not (penali[sz]e|deduct|mark (me |this |it )?down)\b",
)]


def _injection_view(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")  # zero-width and friends
    return re.sub(r"[ \t]+", " ", normalise(text.translate(_CONFUSABLES)).translate(_CONFUSABLES))


def find_injections(doc: Document) -> list[int]:
    """Lines that address the grader instead of the design: instructions, score demands, fake turns.

    Each line is read alone and with the next (an instruction split across two lines)."""
    views = [_injection_view(line.text) for line in doc.lines]
    found: set[int] = set()
    for i, view in enumerate(views):
        pair = view + " " + views[i + 1] if i + 1 < len(views) else view
        for pattern in _INJECTION:
            if pattern.search(view):
                found.add(doc.lines[i].number)
                break
            m = pattern.search(pair)
            if m and m.start() < len(view) < m.end():
                found.update((doc.lines[i].number, doc.lines[i + 1].number))
                break
    return sorted(found)

