"""The comparison key of ../shared/eval/score.py, so tests judge segmentation the same way."""
import re
import unicodedata

from gipnlp.normalize import to_simplified


def key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)", "", text)
    return re.sub(r"[^0-9A-Za-z\u4e00-\u9fff]", "", to_simplified(text))


def texts_by_id(seg) -> tuple[dict, dict]:
    sections, subsections = {}, {}
    for section in seg.sections:
        sections[section.id] = sections.get(section.id, "") + key(section.text)
        for sub in section.subsections:
            subsections[sub.id] = subsections.get(sub.id, "") + key(sub.text)
    return sections, subsections
