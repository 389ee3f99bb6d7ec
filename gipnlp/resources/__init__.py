"""Data files shipped inside the package, each read once, in one place."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources as _resources


def path(name: str):
    return _resources.files(__package__).joinpath(name)


def read_text(name: str) -> str:
    return path(name).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def load_json(name: str) -> dict:
    return json.loads(read_text(name))


@lru_cache(maxsize=1)
def headings() -> dict:
    """headings.json with its regexes compiled."""
    config = dict(load_json("headings.json"))
    config["compiled_sections"] = [(sid, re.compile(p)) for sid, p in config["section_patterns"]]
    config["compiled_bare"] = re.compile("^(" + "|".join(
        re.escape(h) for h in config["canonical_headings"].values()) + r"|概述|存在.{0,12}问题.{0,12}|改进措施|整改措施|下一步.{0,8})$")
    config["compiled_subsections"] = [(sid, re.compile(p)) for sid, p in config["subsection_patterns"]]
    config["compiled_subtopic"] = re.compile(config["subtopic_top_level_pattern"])
    config["compiled_anchors"] = {sid: re.compile(p) for sid, p in config["anchors"].items()}
    config["compiled_intro"] = re.compile(config["intro_pattern"])
    config["compiled_signals"] = {k: re.compile(p) for k, p in config["report_signals"].items()}
    return config


def taxonomy() -> dict:
    return load_json("taxonomy.json")


THEMES: tuple[str, ...] = tuple(t["id"] for t in taxonomy()["themes"])
ROLES: tuple[str, ...] = tuple(r["id"] for r in taxonomy()["roles"])
TAXONOMY_VERSION: str = taxonomy()["version"]
