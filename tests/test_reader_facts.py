"""Venue and code link from what sources state: real arXiv API, OAI-PMH and Hugging Face samples, and
hand-made comments in the forms arXiv authors write them."""

from __future__ import annotations

import pytest

from conftest import FIXTURES, HF_PROPS
from pipeline.reader_facts import accepted_at, code_url, venue
from pipeline.model import PaperRecord
from pipeline.formats import arxiv_api, arxiv_oai, hf_api

API_2007 = FIXTURES / "arxiv" / "arxiv-docs_api_user-manual_typical-response_all-electron_2007.xml"
OAI_DC_2024 = FIXTURES / "arxiv-oai" / "arxiv_oai2_ListRecords_oai_dc_set-cs_from-2024-01-25_page1-token_2024-01-27_atomiklabs.xml"
OAI_2015 = FIXTURES / "arxiv-oai" / "arxiv_oai2_ListRecords_arXiv_2015-01-01_to_2015-01-03_complete-no-token_2018-06-21_paperhive-nock.xml"


def test_arxiv_api_comment_and_journal_ref_are_read_and_the_journal_ref_is_the_venue():
    [record, *_] = arxiv_api.parse(API_2007.read_bytes()).entries
    assert record.arxiv_comment == "23 pages, 8 figures and 4 tables"
    assert venue(record) == "Eur.Phys.J. C31 (2003) 17-29"


def test_oai_records_give_their_journal_ref_as_venue():
    records = arxiv_oai.parse(OAI_2015.read_bytes()).entries
    assert venue(records[0]) == "EPTCS 172, 2014, pp. 154-164"
    assert records[0].arxiv_comment == "In Proceedings QPL 2014, arXiv:1412.8102"


def test_oai_dc_comment_names_the_venue_and_an_abstract_the_code():
    records = {r.arxiv_id: r for r in arxiv_oai.parse(OAI_DC_2024.read_bytes()).entries}
    assert records["2401.14040"].arxiv_comment == "Accepted to the Findings of EACL 2024"
    assert venue(records["2401.14040"]) == "Findings of EACL 2024"
    coded = [code_url(r) for r in records.values() if code_url(r)]
    assert "https://github.com/Regan-Zhang/HaDis" in coded


def test_a_code_link_in_a_real_hugging_face_abstract():
    records = hf_api.parse(HF_PROPS.read_bytes()).entries
    links = {code_url(r) for r in records} - {None}
    assert "https://github.com/ruohaoguo/ovavss" in links
    assert not any("github.io" in link for link in links)  # project pages are not code


@pytest.mark.parametrize(("comment", "expected"), [
    ("Accepted at MICCAI 2025", "MICCAI 2025"),
    ("Early accepted at MICCAI 2025 (oral). 10 pages", "MICCAI 2025"),
    ("Accepted to IEEE Transactions on Medical Imaging", "IEEE Transactions on Medical Imaging"),
    ("To appear in the Proceedings of ISBI 2026; code available", "Proceedings of ISBI 2026"),
    ("Accepted as a workshop paper at CVPR 2024", "CVPR 2024"),
    ("12 pages, 5 figures, submitted to Phys. Rev. C", None),
    ("Accepted in a revised form", None),
    (None, None),
])
def test_accepted_at_reads_the_venue_out_of_a_comment(comment, expected):
    assert accepted_at(comment) == expected


@pytest.mark.parametrize(("abstract", "comment", "expected"), [
    ("Code is at https://github.com/lab/seg-net.", None, "https://github.com/lab/seg-net"),
    ("See https://gitlab.com/group/sub/project for code", None, "https://gitlab.com/group/sub/project"),
    (None, "Demo: https://huggingface.co/spaces/lab/demo), 8 pages", "https://huggingface.co/spaces/lab/demo"),
    ("Weights on https://huggingface.co/lab/model-7b and https://github.com/lab/x", None,
     "https://huggingface.co/lab/model-7b"),
    ("Cloned from https://github.com/lab/repo.git today", None, "https://github.com/lab/repo"),
    ("We cite https://huggingface.co/papers/2401.00001 only", None, None),
    ("No links here.", None, None),
])
def test_code_url_finds_the_first_repository_link(abstract, comment, expected):
    record = PaperRecord(title="t", abstract=abstract, arxiv_comment=comment)
    assert code_url(record) == expected
