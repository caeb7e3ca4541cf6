"""Tests of the web readers (html, folder, feed, warc) in framing.datasets.web.

Every fixture is synthetic text written for these tests and built in tmp_path.
"""

from __future__ import annotations

import gzip
import io
import json
import random
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from framing.datasets.readers import RawRecord, iter_records
from framing.datasets.web import html_to_text
from framing.errors import SourceError

SENTENCES = [
    "The synthetic town of Elmford opened a new footbridge over the river on Monday.",
    "Council members said the bridge would shorten the walk to the market by ten "
    "minutes.",
    "Shop owners on the east bank expect more visitors during the weekend fair.",
    "Engineers tested the structure for three weeks before the opening ceremony.",
    "A second crossing for cyclists is planned for the following spring.",
]


def article_page(
    title: str = "Footbridge opens in Elmford",
    sentences: list[str] | None = None,
    *,
    author: str = "Test Author",
    date: str = "2022-03-01",
    url: str | None = "https://news.example.org/elmford-bridge",
) -> str:
    """A small synthetic news page with its article text in <article>."""
    body = "".join(f"<p>{s}</p>" for s in (sentences or SENTENCES))
    url_meta = f'<meta property="og:url" content="{url}">' if url else ""
    return (
        "<!DOCTYPE html><html><head>"
        f"<title>{title} | Example Gazette</title>"
        f'<meta name="author" content="{author}">'
        '<meta name="description" content="A synthetic test article.">'
        '<meta property="og:site_name" content="Example Gazette">'
        f'<meta property="article:published_time" content="{date}">'
        f"{url_meta}</head><body>"
        '<nav><a href="/">Home</a> <a href="/local">Local</a></nav>'
        f"<article><h1>{title}</h1>{body}</article>"
        "<footer>Copyright Example Gazette</footer></body></html>"
    )


def records(path: Path, fmt: str, **options: object) -> list[RawRecord]:
    return list(iter_records(path, format=fmt, **options))


# ---------------------------------------------------------------- html_to_text


def test_html_to_text_paragraphs_and_lines() -> None:
    fragment = (
        "<div><h2>Heading</h2>\n  <p>First   para with <b>bold</b>.</p>"
        "<ul><li>one</li><li>two</li></ul><p>a<br>b</p></div>"
    )
    expected = "Heading\n\nFirst para with bold.\n\none\ntwo\n\na\nb"
    assert html_to_text(fragment) == expected


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "   ",
        None,
        "<",
        "<<>>&&",
        "\x00\x01\x02",
        "\ud800",
        "</div></p>",
        "<!-- only a comment -->",
        "<script>alert(1)</script>",
        "<div>" * 3000,
    ],
)
def test_html_to_text_never_raises(junk: str | None) -> None:
    assert isinstance(html_to_text(junk), str)


_HTML_BITS = [
    "<p>",
    "</p>",
    "<br>",
    "<div>",
    "</div>",
    "<li>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "&amp;",
    "&#0;",
    "&#99999999;",
    "<?xml ?>",
    "<script>",
    "<html>",
    "<body>",
    "<head>",
    "<td>",
    "<",
    ">",
    "\x00",
    "\x0b",
    "\ud800",
    "\xa0",
    "\n",
    " ",
    "word",
    "\u00e9t\u00e9",
]


def test_html_to_text_fuzz() -> None:
    # A seeded generator rather than hypothesis: deterministic, and it writes
    # no example database into the project.
    rng = random.Random(20220301)
    for _ in range(2000):
        junk = "".join(rng.choice(_HTML_BITS) for _ in range(rng.randint(0, 40)))
        text = html_to_text(junk)
        assert isinstance(text, str)
        assert text == text.strip()
        assert "\n\n\n" not in text


def test_html_to_text_empty_and_invisible() -> None:
    assert html_to_text("") == ""
    assert html_to_text("<script>var x = 1;</script><style>p {}</style>") == ""
    assert html_to_text("Tom &amp; Jerry") == "Tom & Jerry"


# ---------------------------------------------------------------- html


def test_html_page_fields_and_locator(tmp_path: Path) -> None:
    page = tmp_path / "bridge.html"
    page.write_text(article_page(), encoding="utf-8")
    (record,) = records(page, "html")
    assert record.error is None
    assert record.locator == "file bridge.html"
    assert record.source_file == "bridge.html"
    fields = record.fields
    assert set(fields) == {
        "text",
        "title",
        "date",
        "author",
        "url",
        "sitename",
        "description",
        "file",
    }
    for sentence in SENTENCES:
        assert sentence in fields["text"]
    assert "Copyright" not in fields["text"]
    assert fields["title"] == "Footbridge opens in Elmford"
    assert fields["date"] == "2022-03-01"
    assert fields["author"] == "Test Author"
    assert fields["url"] == "https://news.example.org/elmford-bridge"
    assert fields["sitename"] == "Example Gazette"
    assert fields["description"] == "A synthetic test article."
    assert fields["file"] == "bridge.html"


def test_html_format_detected_from_suffix(tmp_path: Path) -> None:
    page = tmp_path / "bridge.htm"
    page.write_text(article_page(), encoding="utf-8")
    assert len(list(iter_records(page))) == 1


def test_html_without_text_gives_error_record(tmp_path: Path) -> None:
    page = tmp_path / "empty.html"
    page.write_text(
        "<html><head><title>Nothing here</title></head><body>"
        "<script>var x = 1;</script></body></html>",
        encoding="utf-8",
    )
    (record,) = records(page, "html")
    assert record.error == "no main text found"
    assert record.error_code == "empty_text"
    assert record.locator == "file empty.html"


def test_html_in_declared_legacy_encoding(tmp_path: Path) -> None:
    sentences = [
        "Синтетический город открыл новый пешеходный мост через реку.",
        "Жители говорят, что дорога до рынка стала короче на десять минут.",
        "Инженеры проверяли мост три недели перед открытием.",
        "Весной планируют построить второй переход для велосипедистов.",
        "Торговцы на восточном берегу ждут больше покупателей.",
    ]
    markup = article_page("Мост открыт", sentences).replace(
        "<head>", '<head><meta charset="windows-1251">'
    )
    page = tmp_path / "legacy.html"
    page.write_bytes(markup.encode("cp1251"))
    (record,) = records(page, "html")
    assert record.error is None
    assert sentences[0] in record.fields["text"]
    assert record.fields["title"] == "Мост открыт"


def test_html_undecodable_bytes(tmp_path: Path) -> None:
    page = tmp_path / "binary.html"
    page.write_bytes(b"\xff\xfe\x00\x00\x80\x81\x82\x83" * 10)
    (record,) = records(page, "html")
    assert record.error_code == "broken_encoding"


# ---------------------------------------------------------------- folder


@pytest.fixture
def article_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    (folder / "sub").mkdir(parents=True)
    # Written out of order on purpose: output must not depend on it.
    (folder / "c.txt").write_text(
        "Third synthetic text about a market.", encoding="utf-8"
    )
    (folder / "a.txt").write_text(
        "\ufeffFirst synthetic text about a bridge.", encoding="utf-8"
    )
    (folder / "b.html").write_text(article_page(), encoding="utf-8")
    (folder / "bad.txt").write_bytes("Caf\u00e9 in Latin-1".encode("latin-1"))
    (folder / "notes.md").write_text("not selected by default", encoding="utf-8")
    (folder / "sub" / "d.txt").write_text("Nested synthetic text.", encoding="utf-8")
    (folder / "meta.csv").write_text(
        "file,outlet,title\n"
        "a.txt,Example Gazette,First title\n"
        "b.html,Example Gazette,\n"
        "sub/d.txt,Other Paper,Nested title\n"
        "missing.txt,Example Gazette,Ghost\n",
        encoding="utf-8",
    )
    return folder


def test_folder_default_pattern_sorted(article_folder: Path) -> None:
    result = records(article_folder, "folder")
    assert [r.locator for r in result] == [
        "file a.txt",
        "file b.html",
        "file bad.txt",
        "file c.txt",
    ]
    by_file = {r.fields["file"]: r for r in result}
    assert by_file["a.txt"].fields == {
        "text": "First synthetic text about a bridge.",
        "file": "a.txt",
    }
    assert by_file["b.html"].fields["title"] == "Footbridge opens in Elmford"
    assert SENTENCES[2] in by_file["b.html"].fields["text"]
    assert by_file["c.txt"].error is None


def test_folder_is_deterministic(article_folder: Path) -> None:
    first = records(article_folder, "folder", pattern="**/*.txt")
    second = records(article_folder, "folder", pattern="**/*.txt")
    assert first == second
    assert [r.fields["file"] for r in first] == [
        "a.txt",
        "bad.txt",
        "c.txt",
        "sub/d.txt",
    ]


def test_folder_undecodable_txt(article_folder: Path) -> None:
    (bad,) = [
        r for r in records(article_folder, "folder") if r.locator == "file bad.txt"
    ]
    assert bad.error is not None
    assert bad.error_code == "broken_encoding"
    assert bad.fields == {"file": "bad.txt"}
    (good,) = [
        r
        for r in records(article_folder, "folder", encoding="latin-1")
        if r.locator == "file bad.txt"
    ]
    assert good.fields["text"] == "Café in Latin-1"


def test_folder_sidecar_merge_and_missing_file(article_folder: Path) -> None:
    result = records(article_folder, "folder", pattern="**/*.txt", sidecar="meta.csv")
    errors = [
        r for r in result if r.error is not None and r.error_code != "broken_encoding"
    ]
    (ghost,) = errors
    assert ghost.locator == "sidecar row 5"
    assert "missing.txt" in ghost.error
    assert ghost.fields["file"] == "missing.txt"
    by_file = {r.fields["file"]: r.fields for r in result if r.error is None}
    assert by_file["a.txt"]["outlet"] == "Example Gazette"
    assert by_file["a.txt"]["title"] == "First title"
    assert by_file["sub/d.txt"] == {
        "text": "Nested synthetic text.",
        "file": "sub/d.txt",
        "outlet": "Other Paper",
        "title": "Nested title",
    }
    assert "outlet" not in by_file["c.txt"]
    # b.html exists but the pattern leaves it out: its row is not an error.
    assert "b.html" not in by_file


def test_folder_sidecar_values_win_except_empty(article_folder: Path) -> None:
    (folder_page,) = [
        r
        for r in records(article_folder, "folder", sidecar="meta.csv")
        if r.locator == "file b.html"
    ]
    # The sidecar's title cell for b.html is empty, so the extracted title stays.
    assert folder_page.fields["title"] == "Footbridge opens in Elmford"
    assert folder_page.fields["outlet"] == "Example Gazette"
    (first,) = [
        r
        for r in records(article_folder, "folder", sidecar="meta.csv")
        if r.locator == "file a.txt"
    ]
    assert first.fields["title"] == "First title"


def test_folder_sidecar_jsonl_absolute(article_folder: Path, tmp_path: Path) -> None:
    sidecar = tmp_path / "meta.jsonl"
    sidecar.write_text(
        json.dumps({"file": "./c.txt", "section": "economy"}) + "\n", encoding="utf-8"
    )
    result = records(article_folder, "folder", sidecar=str(sidecar))
    (third,) = [r for r in result if r.locator == "file c.txt"]
    assert third.fields["section"] == "economy"


def test_folder_sidecar_without_file_column(article_folder: Path) -> None:
    (article_folder / "nofile.csv").write_text(
        "name,outlet\na.txt,X\n", encoding="utf-8"
    )
    with pytest.raises(SourceError, match="no 'file' column"):
        records(article_folder, "folder", sidecar="nofile.csv")


def test_folder_sidecar_not_found(article_folder: Path) -> None:
    with pytest.raises(SourceError, match="sidecar"):
        records(article_folder, "folder", sidecar="absent.csv")


# ---------------------------------------------------------------- feed

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Example Gazette: Local</title>
  <link>https://news.example.org/</link>
  <description>Synthetic test feed</description>
  <item>
    <title>Footbridge opens</title>
    <link>https://news.example.org/bridge</link>
    <guid isPermaLink="false">gazette-1</guid>
    <pubDate>Tue, 01 Mar 2022 10:00:00 GMT</pubDate>
    <dc:creator>Test Author</dc:creator>
    <category>local</category>
    <category>transport</category>
    <description>&lt;p&gt;A short synthetic summary.&lt;/p&gt;</description>
    <content:encoded><![CDATA[<p>The synthetic town opened a bridge.</p>
      <p>Shop owners expect <b>more</b> visitors.</p>]]></content:encoded>
  </item>
  <item>
    <title>Market day</title>
    <link>https://news.example.org/market</link>
    <description>Only a summary &amp; nothing more.</description>
  </item>
</channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example Gazette (Atom)</title>
  <id>urn:example:gazette</id>
  <updated>2022-03-02T09:00:00Z</updated>
  <entry>
    <title>River cleanup</title>
    <link href="https://news.example.org/river"/>
    <id>urn:example:gazette:2</id>
    <updated>2022-03-02T09:00:00Z</updated>
    <author><name>Second Author</name></author>
    <category term="environment"/>
    <summary>Volunteers cleaned the synthetic river.</summary>
    <content type="html">&lt;p&gt;Volunteers met at dawn.&lt;/p&gt;
      &lt;p&gt;They filled forty bags.&lt;/p&gt;</content>
  </entry>
</feed>
"""

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
]>
<rss version="2.0"><channel><title>&lol2;</title>
<item><title>&lol2;</title></item></channel></rss>
"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/hostname">]>
<rss version="2.0"><channel><title>x</title>
<item><title>&secret;</title></item></channel></rss>
"""


def test_rss_entries(tmp_path: Path) -> None:
    feed = tmp_path / "local.rss"
    feed.write_text(RSS, encoding="utf-8")
    first, second = records(feed, "feed")
    assert first.locator == "entry 1"
    assert second.locator == "entry 2"
    assert first.fields["title"] == "Footbridge opens"
    assert first.fields["url"] == "https://news.example.org/bridge"
    assert first.fields["date"] == "Tue, 01 Mar 2022 10:00:00 GMT"
    assert first.fields["author"] == "Test Author"
    assert first.fields["id"] == "gazette-1"
    assert first.fields["tags"] == ["local", "transport"]
    assert first.fields["feed_title"] == "Example Gazette: Local"
    assert first.fields["text"] == (
        "The synthetic town opened a bridge.\n\nShop owners expect more visitors."
    )
    assert second.fields["text"] == "Only a summary & nothing more."
    assert second.fields["tags"] == []
    assert second.fields["date"] is None


def test_atom_entries(tmp_path: Path) -> None:
    feed = tmp_path / "gazette.atom"
    feed.write_text(ATOM, encoding="utf-8")
    (entry,) = records(feed, "feed")
    assert entry.locator == "entry 1"
    assert entry.fields["title"] == "River cleanup"
    assert entry.fields["url"] == "https://news.example.org/river"
    assert entry.fields["date"] == "2022-03-02T09:00:00Z"
    assert entry.fields["author"] == "Second Author"
    assert entry.fields["id"] == "urn:example:gazette:2"
    assert entry.fields["tags"] == ["environment"]
    assert entry.fields["summary"] == "Volunteers cleaned the synthetic river."
    assert entry.fields["text"] == "Volunteers met at dawn.\n\nThey filled forty bags."
    assert entry.fields["feed_title"] == "Example Gazette (Atom)"


@pytest.mark.parametrize(
    "payload", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"]
)
def test_hostile_feeds_refused(tmp_path: Path, payload: str) -> None:
    feed = tmp_path / "hostile.xml"
    feed.write_text(payload, encoding="utf-8")
    with pytest.raises(SourceError, match="hostile") as info:
        records(feed, "feed")
    assert str(feed) in str(info.value)


def test_hostile_entities_behind_syntax_error(tmp_path: Path) -> None:
    feed = tmp_path / "sneaky.xml"
    # An unknown encoding stops expat before it reaches the DOCTYPE.
    payload = BILLION_LAUGHS.replace('"1.0"', '"1.0" encoding="no-such"')
    feed.write_text(payload, encoding="utf-8")
    with pytest.raises(SourceError, match="hostile"):
        records(feed, "feed")


def test_feed_not_xml(tmp_path: Path) -> None:
    feed = tmp_path / "junk.rss"
    feed.write_text("this is not a feed at all", encoding="utf-8")
    with pytest.raises(SourceError, match="not a readable RSS or Atom feed"):
        records(feed, "feed")


def test_truncated_feed_keeps_complete_entries(tmp_path: Path) -> None:
    feed = tmp_path / "cut.rss"
    feed.write_text(RSS[: RSS.index("<title>Market day")], encoding="utf-8")
    result = records(feed, "feed")
    assert [r.fields["title"] for r in result][:1] == ["Footbridge opens"]


# ---------------------------------------------------------------- warc


def write_warc(path: Path, *, gzip: bool) -> None:
    """A small synthetic crawl: 2 articles among records that are not articles."""
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=gzip)
        info = writer.create_warcinfo_record(path.name, {"software": "tests"})
        writer.write_record(info)

        def response(
            url: str, body: bytes, content_type: str, status: str = "200 OK"
        ) -> None:
            headers = StatusAndHeaders(
                status, [("Content-Type", content_type)], protocol="HTTP/1.1"
            )
            writer.write_record(
                writer.create_warc_record(
                    url, "response", payload=io.BytesIO(body), http_headers=headers
                )
            )

        request = StatusAndHeaders(
            "GET /bridge HTTP/1.1", [("Host", "news.example.org")], is_http_request=True
        )
        writer.write_record(
            writer.create_warc_record(
                "https://news.example.org/bridge", "request", http_headers=request
            )
        )
        response(
            "https://news.example.org/bridge",
            article_page(url=None).encode("utf-8"),
            "text/html; charset=utf-8",
        )
        response("https://news.example.org/logo.png", b"\x89PNG\r\n\x1a\n", "image/png")
        response(
            "https://news.example.org/old",
            b"<html>moved</html>",
            "text/html",
            status="301 Moved Permanently",
        )
        response(
            "https://news.example.org/river",
            article_page(
                "River cleanup",
                [s.replace("bridge", "river") for s in SENTENCES],
                url=None,
            ).encode("utf-8"),
            "text/html",
        )
        response(
            "https://news.example.org/blank",
            b"<html><head><title>Blank</title></head><body></body></html>",
            "text/html",
        )
        writer.write_record(
            writer.create_warc_record(
                "https://news.example.org/bridge",
                "metadata",
                payload=io.BytesIO(b"note: synthetic"),
                warc_content_type="text/plain",
            )
        )


@pytest.mark.parametrize("suffix", [".warc", ".warc.gz"])
def test_warc_articles(tmp_path: Path, suffix: str) -> None:
    archive = tmp_path / f"crawl{suffix}"
    write_warc(archive, gzip=suffix.endswith(".gz"))
    result = list(iter_records(archive))
    assert len(result) == 3
    bridge, river, blank = result
    assert bridge.error is None and river.error is None
    assert bridge.locator.startswith("record 3 <urn:uuid:")
    assert river.locator.startswith("record 6 <urn:uuid:")
    assert blank.locator.startswith("record 7 <urn:uuid:")
    assert bridge.fields["url"] == "https://news.example.org/bridge"
    assert bridge.fields["title"] == "Footbridge opens in Elmford"
    assert bridge.fields["date"] == "2022-03-01"
    assert SENTENCES[0] in bridge.fields["text"]
    assert bridge.fields["crawl_date"].startswith("20")
    assert bridge.fields["file"] == archive.name
    assert river.fields["title"] == "River cleanup"
    assert blank.error_code == "empty_text"
    assert blank.fields["url"] == "https://news.example.org/blank"


def test_warc_gz_cut_in_half(tmp_path: Path) -> None:
    archive = tmp_path / "crawl.warc.gz"
    write_warc(archive, gzip=True)
    data = archive.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match="truncated or corrupt WARC"):
        records(cut, "warc")


@pytest.mark.parametrize("keep", [0.5, 0.97])
def test_plain_warc_truncated(tmp_path: Path, keep: float) -> None:
    archive = tmp_path / "crawl.warc"
    write_warc(archive, gzip=False)
    data = archive.read_bytes()
    cut = tmp_path / "cut.warc"
    cut.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(SourceError, match="truncated or corrupt WARC"):
        records(cut, "warc")


def test_warc_gz_missing_trailer(tmp_path: Path) -> None:
    archive = tmp_path / "crawl.warc.gz"
    write_warc(archive, gzip=True)
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(archive.read_bytes()[:-4])
    with pytest.raises(SourceError, match="truncated or corrupt WARC"):
        records(cut, "warc")


def test_warc_gzipped_as_a_whole(tmp_path: Path) -> None:
    plain = tmp_path / "crawl.warc"
    write_warc(plain, gzip=False)
    whole = tmp_path / "whole.warc.gz"
    whole.write_bytes(gzip.compress(plain.read_bytes()))
    with pytest.raises(SourceError, match="recompress"):
        records(whole, "warc")


def test_empty_warc(tmp_path: Path) -> None:
    archive = tmp_path / "empty.warc.gz"
    archive.write_bytes(b"")
    with pytest.raises(SourceError, match="empty"):
        records(archive, "warc")


def test_not_a_warc(tmp_path: Path) -> None:
    archive = tmp_path / "fake.warc"
    archive.write_text("just some synthetic text, not an archive\n", encoding="utf-8")
    with pytest.raises(SourceError, match="truncated or corrupt WARC"):
        records(archive, "warc")
