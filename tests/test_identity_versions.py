"""One work, one row: a preprint and its journal version from arXiv, bioRxiv, Crossref and PubMed.

The Crossref record is real (Nature Genetics 10.1038/ng.3834, which names its
bioRxiv preprint 10.1101/055962). The other three are hand-made in their
sources' structures for the same work: a bioRxiv details record with the
journal DOI as `published`, an arXiv feed item carrying the journal DOI
(the work was not on arXiv; the item stands for any arXiv preprint arXiv
links to its journal version), and a PubMed record with PMID and PMCID.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from sources_helpers import FIXTURES, arxiv_rss, rows

JOURNAL_DOI, PREPRINT_DOI, ARXIV_ID, PMID, PMCID = "10.1038/ng.3834", "10.1101/055962", "1606.01234", "28369037", "PMC5406250"
TITLE = "The impact of structural variation on human gene expression"
CROSSREF = FIXTURES / "crossref" / "crossref_works_10.1038-ng.3834_has-preprint_2023-10-05_commonmeta.json"


def biorxiv_details(records: list[dict]) -> bytes:
    """A details-API page in the structure of the real 2026-08-01 sample."""
    collection = [{"title": TITLE, "authors": "Chiang, C.; Scott, A. J.", "date": "2016-05-28", "version": "1",
                   "type": "new results", "category": "genomics", "abstract": "Structural variants (SVs) ...",
                   "published": JOURNAL_DOI, "server": "bioRxiv", **r} for r in records]
    return json.dumps({"messages": [{"status": "ok", "interval": "2016-05-28:2016-05-28", "cursor": 0,
                                     "count": len(records), "total": len(records)}],
                       "collection": collection}).encode()


def pubmed_record() -> bytes:
    return f"""<?xml version="1.0"?><PubmedArticleSet><PubmedArticle><MedlineCitation Status="MEDLINE">
<PMID Version="1">{PMID}</PMID><Article><Journal><ISSN IssnType="Electronic">1546-1718</ISSN>
<JournalIssue><PubDate><Year>2017</Year><Month>May</Month></PubDate></JournalIssue>
<Title>Nature genetics</Title><ISOAbbreviation>Nat Genet</ISOAbbreviation></Journal>
<ArticleTitle>{TITLE}.</ArticleTitle><AuthorList><Author><LastName>Chiang</LastName><ForeName>Colby</ForeName></Author>
<Author><CollectiveName>GTEx Consortium</CollectiveName></Author></AuthorList>
<PublicationTypeList><PublicationType UI="D016428">Journal Article</PublicationType></PublicationTypeList>
<ArticleDate DateType="Electronic"><Year>2017</Year><Month>04</Month><Day>03</Day></ArticleDate></Article>
<MeshHeadingList><MeshHeading><DescriptorName UI="D015894" MajorTopicYN="Y">Genome, Human</DescriptorName></MeshHeading></MeshHeadingList>
</MedlineCitation><PubmedData><History><PubMedPubDate PubStatus="entrez"><Year>2017</Year><Month>4</Month><Day>4</Day></PubMedPubDate></History>
<ArticleIdList><ArticleId IdType="pubmed">{PMID}</ArticleId><ArticleId IdType="doi">{JOURNAL_DOI}</ArticleId>
<ArticleId IdType="pmc">{PMCID}</ArticleId></ArticleIdList></PubmedData></PubmedArticle></PubmedArticleSet>""".encode()


def arxiv_item() -> bytes:
    return arxiv_rss([{"arxiv_id": ARXIV_ID, "version": 1, "title": TITLE, "authors": "Colby Chiang, Alexandra J Scott",
                       "abstract": "Structural variants (SVs) are an important source of human genetic diversity.",
                       "categories": ("q-bio.GN",), "doi": JOURNAL_DOI}], announced="Mon, 06 Jun 2016 00:00:00 -0400")


@pytest.fixture
def versions(tmp_path) -> dict[str, Path]:
    files = {"arxiv": arxiv_item(), "biorxiv": biorxiv_details([{"doi": PREPRINT_DOI}]),
             "crossref": CROSSREF.read_bytes(), "pubmed": pubmed_record()}
    paths = {}
    for name, data in files.items():
        paths[name] = tmp_path / f"{name}.data"
        paths[name].write_bytes(data)
    return paths


def ingest(db: Path, *paths: Path) -> list[str]:
    outputs = []
    for path in paths:
        result = CliRunner().invoke(cli, ["--db", str(db), "ingest", str(path)])
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    return outputs


@pytest.mark.parametrize("order", list(itertools.permutations(["arxiv", "biorxiv", "crossref", "pubmed"])),
                         ids="-".join)
def test_one_work_from_four_sources_is_one_row_in_every_order(tmp_path, versions, order):
    db = tmp_path / f"{'-'.join(order)}.db"
    ingest(db, *(versions[name] for name in order))
    papers = rows(db, "select id, arxiv_id, doi, pmid, pmcid, journal, work_type from papers")
    # PubMed's "Nature genetics" and Crossref's "Nature Genetics": the same one wins in every order.
    assert papers == [(f"arxiv:{ARXIV_ID}", ARXIV_ID, PREPRINT_DOI, PMID, PMCID, "Nature genetics", "journal-article")]
    identifiers = rows(db, "select scheme, value from identifiers where scheme != 'title' order by scheme, value")
    assert identifiers == [("arxiv", ARXIV_ID), ("doi", JOURNAL_DOI), ("doi", PREPRINT_DOI),
                           ("pmcid", PMCID), ("pmid", PMID)]
    assert rows(db, "select count(distinct paper_id) from identifiers") == [(1,)]
    assert rows(db, "select vocabulary, term, major from paper_terms where vocabulary = 'mesh'") == \
        [("mesh", "Genome, Human", 1)]
    assert rows(db, "select count(*) from sightings") == [(4,)]


def test_every_order_ends_with_the_same_row(tmp_path, versions):
    """The merged row does not depend on arrival order, not only its identity."""
    results = set()
    for order in (["arxiv", "biorxiv", "crossref", "pubmed"], ["pubmed", "crossref", "biorxiv", "arxiv"],
                  ["crossref", "arxiv", "pubmed", "biorxiv"]):
        db = tmp_path / f"same-{'-'.join(order)}.db"
        ingest(db, *(versions[name] for name in order))
        [row] = rows(db, "select id, title, abstract, authors, published_at, journal, journal_abbrev, issns,"
                         " orcids, pmid, pmcid, doi from papers")
        results.add(row)
    assert len(results) == 1


def test_two_preprints_naming_one_journal_doi_stay_two_rows_each_linked(tmp_path):
    db = tmp_path / "two.db"
    first = tmp_path / "first.json"
    first.write_bytes(biorxiv_details([{"doi": "10.1101/055962"}]))
    second = tmp_path / "second.json"
    second.write_bytes(biorxiv_details([{"doi": "10.1101/099999", "title": "A different preprint",
                                         "authors": "Other, A."}]))
    ingest(db, first, second)
    assert rows(db, "select id, title from papers order by id") == [
        ("doi:10.1101/055962", TITLE), ("doi:10.1101/099999", "A different preprint")]
    assert rows(db, "select paper_id, relation, value from paper_relations order by paper_id") == [
        ("doi:10.1101/055962", "is-preprint-of", JOURNAL_DOI), ("doi:10.1101/099999", "is-preprint-of", JOURNAL_DOI)]
    [(error,)] = rows(db, "select error from runs order by id desc limit 1")
    assert f"doi {JOURNAL_DOI} already belongs to doi:10.1101/055962" in error and "10.1101/099999 kept apart" in error


def test_two_pmids_sharing_a_doi_stay_two_rows(tmp_path):
    db = tmp_path / "pmids.db"
    one = tmp_path / "one.xml"
    one.write_bytes(pubmed_record())
    other = tmp_path / "other.xml"
    other.write_bytes(pubmed_record().replace(PMID.encode(), b"28369999").replace(PMCID.encode(), b"PMC1"))
    ingest(db, one, other)
    assert rows(db, "select id, pmid from papers order by id") == [(f"doi:{JOURNAL_DOI}", PMID), ("pmid:28369999", "28369999")]


def test_a_fullwidth_arxiv_id_makes_no_identifier(tmp_path):
    """Hand-made generic feed item whose only id is `arXiv:２４０８.００７１４` in fullwidth digits."""
    feed = tmp_path / "fullwidth.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>Fullwidth</title>'
        "<guid>arXiv:２４０８.００７１４</guid><description>x</description></item></channel></rss>", encoding="utf-8")
    ingest(tmp_path / "fw.db", feed)
    assert rows(tmp_path / "fw.db", "select scheme from identifiers") == [("title",)]
