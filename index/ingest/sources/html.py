"""An HTML page → its article: title, date, publisher, URL and paragraphs, as a reader sees them.

Rules over lxml's tree, true of HTML readouts in general: the article is the block whose paragraphs
hold the most text that is not links; hidden elements, forms, scripts and navigation are not read;
inline elements (a word split across <span>s) join without spaces, blocks and <br>s end a paragraph.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html

from index.errors import SourceUnreadable
from index.ingest import charsets
from index.ingest.documents import is_date_line, is_furniture
from index.text.dates import full_dates

BLOCKS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre",
    "table", "tr", "td", "th", "tbody", "thead", "section", "article", "header", "footer", "figure",
    "figcaption", "center", "main", "aside", "address", "hr",
}
UNREAD = {"script", "style", "noscript", "form", "nav", "select", "button", "input", "textarea", "iframe",
          "object", "embed", "svg", "canvas", "template", "head", "footer", "aside", "menu"}
FURNITURE_NAME = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|breadcrumbs?|urhere|crumbs?|share|sharing|social|related|recommend|comments?|"
    r"footer|foot|copyright|sidebar|toolbar|tools?|print|lang|language|search|header|banner|advert|ads?)([\s_-]|$)",
    re.I,
)
EMPHASIS = {"strong", "b"}
TITLE_SEPARATORS = re.compile(r"\s+[—–\-|_]+\s+|\s*——\s*|_")
DATE_META = ("article:published_time", "og:published_time", "og:article:published_time", "pubdate", "publishdate",
             "publish-date", "publish_date", "pubdate", "date", "dc.date", "dc.date.issued", "dcterms.date",
             "dcterms.created", "sailthru.date", "parsely-pub-date", "datepublished", "firstpublishedtime",
             "publishedtime", "article.published")
MAX_DEPTH = 2048  # libxml2's nesting limit under huge_tree (256 without)
WHITESPACE = re.compile(r"[ \t\r\n\f\v\u00a0\u2002\u2003\u2009\u200b\u3000\ufeff]+")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# Publishers by host, in the page's language: a page rarely names its own site in a form worth citing.
KNOWN_HOSTS = {
    "fmprc.gov.cn": ("Ministry of Foreign Affairs of the People's Republic of China", "中华人民共和国外交部"),
    "mfa.gov.cn": ("Ministry of Foreign Affairs of the People's Republic of China", "中华人民共和国外交部"),
    "state.gov": ("U.S. Department of State", "美国国务院"),
    "mofa.go.jp": ("Ministry of Foreign Affairs of Japan", "日本外务省"),
    "xinhuanet.com": ("Xinhua", "新华网"),
    "news.cn": ("Xinhua", "新华网"),
    "chinadaily.com.cn": ("China Daily", "中国日报"),
    "globaltimes.cn": ("Global Times", "环球时报"),
    "people.com.cn": ("People's Daily", "人民网"),
    "cgtn.com": ("CGTN", "CGTN"),
    "gov.uk": ("GOV.UK", "GOV.UK"),
}


@dataclass(frozen=True)
class Paragraph:
    text: str
    emphasis: float  # share of its characters in <strong>/<b>: transcripts set questions in bold


@dataclass(frozen=True)
class Page:
    """What a page says about itself; `paragraphs` are the article's, in reading order."""

    title: str | None
    date: str | None
    source: str | None
    url: str | None
    paragraphs: tuple[Paragraph, ...]
    language: str  # "zh" when the article is mostly Chinese/Japanese/Korean script, else "en"
    links: tuple[tuple[str, str], ...] = field(default=())  # (absolute URL, anchor text) of every visible link
    own_text: int = 0  # weighted length of the article's text outside links: little on a listing page


def clean(text: str) -> str:
    """Whitespace as a browser renders it: runs become one space; none is left between two CJK characters
    (an ideographic indent, or a line break in the source)."""
    text = WHITESPACE.sub(" ", text).strip()
    return re.sub(r"(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]) (?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])", "", text)


def parse_html(data: bytes | str, url: str | None = None, charset: str | None = None) -> lxml.html.HtmlElement:
    """The page's tree. Bytes are decoded by `charsets.decode` (a BOM, the declared charset: `charset` from
    the HTTP header, else the page's <meta>; UTF-8; detection), and lxml is told the result is UTF-8, so
    a <meta> cannot make it read the text a second time in another charset. Nesting deeper than
    libxml2's 256 levels is read (huge_tree, up to its 2,048); deeper still is `SourceUnreadable`."""
    if isinstance(data, bytes):
        data = decode(data, charset)
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, encoding="utf-8", huge_tree=True)
    root = lxml.html.document_fromstring(data.encode("utf-8", errors="surrogatepass"), parser=parser, base_url=url)
    for error in parser.error_log:
        if error.type_name == "ERR_RESOURCE_LIMIT":
            raise SourceUnreadable(
                f"HTML nested deeper than {MAX_DEPTH:,} elements, more than the parser reads; the page was not read whole"
                if "depth" in error.message else f"the HTML parser stopped ({error.message.strip()[:80]})")
    return root


def decode(data: bytes, charset: str | None = None) -> str:
    """A page's bytes as text: `charset` (the HTTP header's) wins over the page's own declaration."""
    try:
        return charsets.decode(data, charset or charsets.markup_charset(data))
    except charsets.Undecodable as reason:
        raise SourceUnreadable(str(reason)) from None


def _hidden(element: lxml.html.HtmlElement) -> bool:
    style = (element.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style or element.get("hidden") is not None \
        or element.get("aria-hidden") == "true"


def _furniture_named(element: lxml.html.HtmlElement) -> bool:
    return bool(FURNITURE_NAME.search(f"{element.get('class') or ''} {element.get('id') or ''}"))


def prune(root: lxml.html.HtmlElement) -> None:
    """Drop what a reader does not read as the article: scripts, forms, hidden and navigation elements."""
    doomed = [element for element in root.iter(lxml.etree.Element)
              if not isinstance(element.tag, str) or element.tag.lower() in UNREAD or _hidden(element)]
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()


def blocks(element: lxml.html.HtmlElement) -> list[Paragraph]:
    """The paragraphs of an element: inline text joined as is, a block or <br> ending one."""
    paragraphs: list[Paragraph] = []
    parts: list[tuple[str, bool]] = []

    def flush() -> None:
        text = clean("".join(part for part, _ in parts))
        if text:
            bold = sum(len(clean(part)) for part, strong in parts if strong)
            paragraphs.append(Paragraph(text, min(1.0, bold / max(1, len(text)))))
        parts.clear()

    bold = [False]  # whether the text in each open element is bold; iterative, for pages nested 2,000 deep
    for event, node in lxml.etree.iterwalk(element, events=("start", "end")):
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if event == "start":
            if tag == "br" or tag in BLOCKS:
                flush()
            bold.append(bold[-1] or tag in EMPHASIS or tag in ("h1", "h2", "h3", "h4", "h5", "h6"))
            if node.text and tag != "br":
                parts.append((node.text, bold[-1]))
            continue
        if tag in BLOCKS:
            flush()
        bold.pop()
        if node.tail and node is not element:
            parts.append((node.tail, bold[-1]))
    flush()
    return paragraphs


def text_weight(text: str) -> int:
    """Characters that count as reading: a CJK character weighs as much as a short word."""
    return len(CJK.findall(text)) * 3 + len(re.findall(r"[A-Za-z0-9]", text))


def content_element(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The element holding the article: scored by its paragraphs' text that is not links (the readability idea)."""
    scores: dict[lxml.html.HtmlElement, float] = {}
    for paragraph in root.iter("p", "pre", "blockquote", "td", "div", "li"):
        if paragraph.tag == "div" and any(isinstance(c.tag, str) and c.tag.lower() in BLOCKS for c in paragraph):
            continue  # a div of blocks is a container, not a paragraph
        text = paragraph.text_content()
        length = text_weight(text)
        if length < 40:
            continue
        link = sum(text_weight(a.text_content()) for a in paragraph.iter("a"))
        value = length * (1 - min(1.0, link / length)) ** 2
        parent = paragraph.getparent()
        for weight in (1.0, 0.5, 0.25):
            if parent is None or parent.tag in ("body", "html"):
                break
            if not _furniture_named(parent):
                scores[parent] = scores.get(parent, 0.0) + value * weight
            parent = parent.getparent()
    semantic = root.xpath("//*[@itemprop='articleBody'] | //article")
    if not scores:
        return semantic[0] if semantic else (root.find("body") if root.find("body") is not None else root)
    best = max(scores, key=scores.__getitem__)
    for element in semantic:
        if scores.get(element, 0) >= 0.5 * scores[best]:
            return element
    return best


def _meta(root: lxml.html.HtmlElement, *names: str) -> str | None:
    wanted = {name.lower() for name in names}
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if key in wanted and (meta.get("content") or "").strip():
            return clean(meta.get("content"))
    return None


def _json_ld(root: lxml.html.HtmlElement) -> list[dict]:
    found: list[dict] = []
    for script in root.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                found.append(item)
                stack.extend(v for k, v in item.items() if k == "@graph")
    return found


def iso_date(text: str | None) -> str | None:
    """The first full date a string states, as YYYY-MM-DD (ISO timestamps included)."""
    if not text:
        return None
    stamp = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})(?:[T ]|$)", text)
    if stamp:
        try:
            return date(int(stamp[1]), int(stamp[2]), int(stamp[3])).isoformat()
        except ValueError:
            return None
    dates = full_dates(text)
    return dates[0][1].isoformat() if dates else None


def page_date(root: lxml.html.HtmlElement, title: str | None) -> str | None:
    """The date the page states: meta tags, JSON-LD, <time>, a date line, the title; never the fetch date.
    Read before pruning, since meta tags live in <head>; `paragraph_date` is the last resort."""
    found = iso_date(_meta(root, *DATE_META))
    for item in _json_ld(root):
        found = found or iso_date(str(item.get("datePublished") or item.get("dateCreated") or ""))
    for time in root.iter("time"):
        found = found or iso_date(time.get("datetime")) or iso_date(time.text_content())
    if found:
        return found
    for element in root.xpath("//*[@id or @class]"):
        name = f"{element.get('id') or ''} {element.get('class') or ''}".lower()
        if re.search(r"date|time|pub", name) and not _furniture_named(element) and not _hidden(element):
            text = clean(element.text_content())
            if text and len(text) <= 60 and is_date_line(text):
                return iso_date(text)
    if title:
        # "on June11, 2018": a month run into its day is still the date a reader sees
        spaced = re.sub(r"\b([A-Z][a-z]{2,8}\.?)(\d{1,2})\b", r"\1 \2", title)
        if iso_date(spaced):
            return iso_date(spaced)
    return None


def paragraph_date(paragraphs: list[Paragraph]) -> str | None:
    """A paragraph that is only a date, near the start or the end of the article ("2020年7月3日")."""
    for paragraph in paragraphs[:3] + paragraphs[-2:]:
        if len(paragraph.text) <= 40 and is_date_line(paragraph.text):
            return iso_date(paragraph.text)
    return None


def _normal(text: str) -> str:
    return re.sub(r"\W+", "", text).lower()


def page_title(root: lxml.html.HtmlElement, site: str | None) -> tuple[str | None, str | None]:
    """The article's heading and the site suffix <title> carried, if any ("X — 中华人民共和国外交部")."""
    full = clean(root.findtext(".//title") or "")
    og = _meta(root, "og:title", "twitter:title")
    headings = [clean(e.text_content()) for e in root.xpath(
        "//h1 | //h2 | //h3 | //*[contains(translate(@class,'TITLE','title'),'title') or "
        "contains(translate(@id,'TITLE','title'),'title')]") if not isinstance(e, lxml.html.HtmlComment)]
    headings = [h for h in headings if 2 <= len(h) <= 300]
    suffix = None
    parts = TITLE_SEPARATORS.split(full) if full else []
    if len(parts) > 1:
        tail = parts[-1]
        if site and _normal(tail) == _normal(site) or len(tail) < len(full) - len(tail):
            suffix = tail
    for heading in headings:
        if full and len(_normal(heading)) >= 4 and _normal(full).startswith(_normal(heading)):
            return heading, suffix
    if og:
        return og, suffix
    if suffix:
        return full[: full.rfind(suffix)].rstrip(" —–-|_"), suffix
    return (full or (headings[0] if headings else None)), None


def _host(url: str | None) -> str:
    return (urlsplit(url).hostname or "").lower() if url else ""


def _site(host: str) -> str:
    return host.removeprefix("www.")


def own_site_url(claimed: str | None, url: str | None) -> str | None:
    """A URL the page gives itself (canonical link, og:url), made absolute, if it can be believed: http(s),
    and on the site the page came from (`url`, when it has one; www. or not); its user and password dropped.
    A page served from one host that calls itself another site's is not cited as that site."""
    if not claimed:
        return None
    try:
        parts = urlsplit(urljoin(url, claimed.strip()) if url else claimed.strip())
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 (a port that is not a number raises here)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host or (url and _site(host) != _site(_host(url))):
        return None
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, parts.fragment))


def own_site_name(name: str | None, url: str | None) -> str | None:
    """A site name the page states (og:site_name, its title's suffix), unless it is the name of a publisher
    known by another host than the page's own (`url`): a copy served from elsewhere is not that publisher."""
    if not name or not url:
        return name
    host = _host(url)
    for known, names in KNOWN_HOSTS.items():
        if _normal(name) in {_normal(n) for n in names} and not (host == known or host.endswith("." + known)):
            return None
    return name


def known_publisher(url: str | None, language: str) -> str | None:
    host = _host(url)
    for known, names in KNOWN_HOSTS.items():
        if host == known or host.endswith("." + known):
            return names[1] if language == "zh" else names[0]
    return None


def page_links(root: lxml.html.HtmlElement, base: str | None) -> tuple[tuple[str, str], ...]:
    """Every link of the page with its anchor text, made absolute against the page's URL."""
    links = []
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        links.append((urljoin(base, href) if base else href, clean(anchor.text_content())))
    return tuple(links)


def extract(data: bytes | str, url: str | None = None, charset: str | None = None) -> Page:
    """Read a page: its article's paragraphs (no menus, language bars, share buttons or footers) and its facts.
    `charset` is the one its HTTP header declares, if any."""
    root = parse_html(data, url, charset)
    canonical = next((link.get("href") for link in root.iter("link")
                      if "canonical" in (link.get("rel") or "").lower().split() and link.get("href")), None)
    page_url = own_site_url(canonical, url) or own_site_url(_meta(root, "og:url"), url) or url
    site = own_site_name(_meta(root, "og:site_name", "application-name"), page_url)
    title, suffix = page_title(root, site)
    suffix = own_site_name(suffix, page_url)
    stated = page_date(root, title)
    prune(root)
    links = page_links(root, url or page_url)
    container = content_element(root)
    own_text = text_weight(container.text_content()) - sum(text_weight(a.text_content()) for a in container.iter("a"))
    paragraphs = [p for p in blocks(container) if re.search(r"\w", p.text) and not is_furniture(p.text)]
    if title:
        paragraphs = [p for p in paragraphs if _normal(p.text) != _normal(title)]
    text = " ".join(p.text for p in paragraphs) or (title or "")
    language = "zh" if len(CJK.findall(text)) > 0.2 * max(1, len(text)) else "en"
    date = stated or paragraph_date(paragraphs)
    source = site or suffix or known_publisher(page_url, language) or (
        _dominant_publisher(links, language) if page_url is None else None)
    return Page(title, date, source, page_url, tuple(paragraphs), language, links, own_text)


def _dominant_publisher(links: tuple[tuple[str, str], ...], language: str) -> str | None:
    """A page saved without its URL still links mostly to its own site: its host names the publisher."""
    hosts = [_host(href) for href, _ in links if href.startswith(("http", "//"))]
    hosts = [host for host in hosts if host]
    if not hosts:
        return None
    top = max(set(hosts), key=hosts.count)
    return known_publisher("https://" + top, language) if hosts.count(top) >= 0.5 * len(hosts) else None
