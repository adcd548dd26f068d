"""Pictures in posts: sizes from the file, lazy loading, captions as figures, resized copies
for srcset (kept in the cache, made again only for new bytes), og:image, the error of a
picture with no file, and a watch session that follows picture edits."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from conftest import MINIMAL_CONFIG, make_journal, one, parse_html, post_text, tree_digest
from PIL import Image
from test_incremental import compare, site_files

from generator.cli import main
from generator.core.config import MARKDOWN_ENGINES
from generator.incremental.session import WatchSession
from generator.pipeline import images
from generator.pipeline.build import BuildResult, Request, build
from generator.pipeline.markup import make_converter, render_markdown
from generator.pipeline.picture_tags import lead_image

SUBPATH_CONFIG = 'title = "T"\nbase_url = "https://example.org/journal/"\ntimezone = "UTC"\n'


def picture(width: int, height: int, kind: str = "JPEG", colour: int = 90, **save: object) -> bytes:
    """A picture's bytes: a flat colour with a stripe, so that resizing has work to do."""
    image = Image.new("RGB" if kind != "PNG" else "RGBA", (width, height), (colour, 120, 200))
    for x in range(0, width, 7):
        image.putpixel((x, height // 2), (255, 255, 255))
    out = io.BytesIO()
    image.save(out, kind, **save)
    return out.getvalue()


def journal_with(tmp_path: Path, body: str, files: dict[str, bytes], config: str = "") -> Path:
    texts: dict[str, str | bytes] = {
        "content/posts/2024/walk.md": post_text(body=body, title="A walk"),
        **{f"content/static/{path}": data for path, data in files.items()},
    }
    return make_journal(tmp_path, texts, config or None)


def built(root: Path, output: Path | None = None, use_cache: bool = True) -> BuildResult:
    from conftest import OPTIONS

    return build(Request(root, output, OPTIONS, use_cache=use_cache))


def images_of(root: Path, page: str = "2024/walk/index.html", output: str = "output") -> list:
    html = (root / output / page).read_bytes()
    return list(one(parse_html(html), "div", "content").iter("img"))


def attrs(tag: object) -> dict[str, str]:
    return dict(tag.attrib)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- sizes and loading


def test_a_picture_gets_its_size_and_every_picture_but_the_first_loads_lazily(
    tmp_path: Path,
) -> None:
    body = (
        "Morning.\n\n![The river](/images/river.jpg)\n\n"
        "Then ![a stone](../../images/stone.png) and ![a bird](https://example.com/bird.jpg).\n"
    )
    files = {"images/river.jpg": picture(400, 300), "images/stone.png": picture(64, 48, "PNG")}
    root = journal_with(tmp_path, body, files)
    assert built(root).ok
    river, stone, bird = map(attrs, images_of(root))
    assert (river["width"], river["height"], river["decoding"]) == ("400", "300", "async")
    assert "loading" not in river  # the first picture of a post loads at once
    assert (stone["width"], stone["height"], stone["loading"]) == ("64", "48", "lazy")
    assert stone["src"] == "../../images/stone.png"  # the path as written still works
    assert "width" not in bird and bird["loading"] == "lazy" and bird["decoding"] == "async"


def test_sizes_written_by_hand_are_kept(tmp_path: Path) -> None:
    body = 'Text.\n\n<img src="/a.jpg" alt="a" width="100" loading="eager">\n'
    root = journal_with(tmp_path, body, {"a.jpg": picture(300, 200)})
    assert built(root).ok
    (tag,) = map(attrs, images_of(root))
    assert tag["width"] == "100" and "height" not in tag and tag["loading"] == "eager"


def test_a_picture_taken_on_its_side_gets_its_upright_size(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # turned a quarter: shown 300 wide and 500 high
    exif[0x8825] = {2: (52.0, 31.0, 0.0)}  # a place, which no copy may keep
    data = picture(1000, 600, exif=exif.tobytes())
    root = journal_with(tmp_path, "Text.\n\n![up](/up.jpg)\n", {"up.jpg": data})
    assert built(root).ok
    (tag,) = map(attrs, images_of(root))
    assert (tag["width"], tag["height"]) == ("600", "1000")
    copy = root / "output" / tag["srcset"].split(" ")[0].lstrip("/")
    with Image.open(copy) as image:
        assert image.size == (480, 800)
        assert not image.getexif()


# ---------------------------------------------------------------- captions


@pytest.mark.parametrize("engine", MARKDOWN_ENGINES)
def test_a_captioned_picture_alone_in_its_paragraph_is_a_figure(
    tmp_path: Path, engine: str
) -> None:
    body = (
        'Text.\n\n![The <river>](/river.jpg "Low water & \\"calm\\" <b>")\n\n'
        '![inline](/river.jpg "Not alone") with words.\n\n'
        "![no caption](/river.jpg)\n"
    )
    config = MINIMAL_CONFIG + f'markdown = "{engine}"\n'
    root = journal_with(tmp_path, body, {"river.jpg": picture(200, 100)}, config)
    assert built(root).ok
    html = (root / "output/2024/walk/index.html").read_text(encoding="utf-8")
    assert '<figcaption>Low water &amp; "calm" &lt;b&gt;</figcaption>' in html
    content = one(parse_html(html.encode()), "div", "content")
    figures = [el for el in content.iter() if el.tag.endswith("figure")]
    assert len(figures) == 1
    tags = [el.tag.split("}")[-1] for el in figures[0]]
    assert tags == ["img", "figcaption"]
    assert attrs(figures[0][0]).get("alt") == "The <river>" and "title" not in figures[0][0].attrib
    paragraphs = [el for el in content.iter() if el.tag.endswith("}p")]
    assert not any(el.tag.endswith("figure") for p in paragraphs for el in p.iter())
    assert "<p><figure>" not in html
    inline = [attrs(t) for t in content.iter() if t.tag.endswith("img")][1]
    assert inline["title"] == "Not alone"


@pytest.mark.parametrize("engine", MARKDOWN_ENGINES)
def test_figures_come_from_the_markdown_with_attributes_and_in_quotes(engine: str) -> None:
    converter = make_converter(engine)
    text = '![a](a.jpg "One"){: .wide}\n\n> ![b](b.jpg "Two")\n\n[![c](c.jpg "Three")](c.jpg)\n'
    html = render_markdown(converter, text).html
    if engine == "python-markdown":
        figure = '<figure>\n<img alt="a" class="wide" src="a.jpg">\n<figcaption>One</figcaption>'
        assert figure in html
    else:  # no attribute lists in CommonMark: the picture stays in its paragraph, as written
        assert '<p><img alt="a" src="a.jpg" title="One">{: .wide}</p>' in html
    assert "<blockquote>\n<figure>" in html
    assert '<a href="c.jpg"><img alt="c" src="c.jpg" title="Three"></a>' in html  # a link stays


# ---------------------------------------------------------------- resized copies


def test_wide_pictures_get_resized_copies_for_srcset(tmp_path: Path) -> None:
    files = {
        "big.jpg": picture(1600, 800),
        "mid.png": picture(1000, 500, "PNG"),
        "web.webp": picture(600, 300, "WEBP"),
        "anim.gif": picture(2000, 100, "GIF"),
        "dot.svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>',
    }
    body = "".join(f"![{name}](/{name})\n\n" for name in files)
    root = journal_with(tmp_path, "Text.\n\n" + body, files, SUBPATH_CONFIG)
    assert built(root).ok
    big, mid, web, gif, svg = map(attrs, images_of(root))
    sizes = [entry.rsplit(" ", 1)[1] for entry in big["srcset"].split(", ")]
    assert sizes == ["480w", "960w", "1440w", "1600w"]
    assert big["srcset"].endswith("/journal/big.jpg 1600w")
    assert big["sizes"] == images.SIZES
    assert [e.rsplit(" ", 1)[1] for e in mid["srcset"].split(", ")] == ["480w", "960w", "1000w"]
    assert web["srcset"].split(", ")[0].endswith(".webp 480w")
    assert "srcset" not in gif and gif["width"] == "2000"  # a GIF keeps its one file
    assert "srcset" not in svg and "width" not in svg and svg["loading"] == "lazy"
    for entry in big["srcset"].split(", ")[:-1]:
        url, width = entry.split(" ")
        assert url.startswith("/journal/resized/")
        with Image.open(root / "output" / url.removeprefix("/journal/")) as copy:
            assert copy.size == (int(width[:-1]), int(width[:-1]) // 2)
            assert copy.format == "JPEG" and "exif" not in copy.info


def test_copies_are_the_same_bytes_from_every_build(tmp_path: Path) -> None:
    files = {"big.jpg": picture(1500, 900), "mid.png": picture(1000, 500, "PNG")}
    root = journal_with(tmp_path, "Text.\n\n![a](/big.jpg)\n\n![b](/mid.png)\n", files)
    assert built(root, tmp_path / "one", use_cache=False).ok
    assert built(root, tmp_path / "two", use_cache=False).ok
    assert built(root, tmp_path / "three").ok  # made into the cache
    assert built(root, tmp_path / "four").ok  # read from it
    one_ = site_files(tmp_path / "one")
    assert len([p for p in one_ if p.startswith("resized/")]) == 5
    for other in ("two", "three", "four"):
        assert site_files(tmp_path / other) == one_


def test_a_second_build_makes_no_new_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[int] = []
    real = images.resized_copies

    def counted(data: bytes, kind: str, sizes: Sequence[tuple[int, int]]) -> list[bytes]:
        made.extend(width for width, _ in sizes)
        return real(data, kind, sizes)

    monkeypatch.setattr(images, "resized_copies", counted)
    root = journal_with(tmp_path, "Text.\n\n![a](/big.jpg)\n", {"big.jpg": picture(1000, 500)})
    assert built(root).ok
    assert sorted(made) == [480, 960]
    cached = sorted((root / images.CACHE_FOLDER).rglob("*.jpeg"))
    assert len(cached) == 2
    stamps = [path.stat().st_mtime_ns for path in cached]
    post = root / "content/posts/2024/walk.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    assert built(root).ok and built(root, tmp_path / "elsewhere").ok
    assert sorted(made) == [480, 960]  # no copy made again
    assert [path.stat().st_mtime_ns for path in cached] == stamps
    (root / "content/static/big.jpg").write_bytes(picture(1000, 500, colour=10))
    assert built(root).ok
    assert sorted(made) == [480, 480, 960, 960]  # new bytes: new copies, the old ones gone
    assert len(list((root / images.CACHE_FOLDER).rglob("*.jpeg"))) == 2


def test_journal_check_writes_no_copy_into_the_cache(tmp_path: Path) -> None:
    root = journal_with(tmp_path, "Text.\n\n![a](/big.jpg)\n", {"big.jpg": picture(1000, 500)})
    assert main(["check", "--root", str(root)]) == 0
    assert not (root / images.CACHE_FOLDER).exists()


# ---------------------------------------------------------------- og:image


def test_the_first_picture_of_a_post_is_its_og_image(tmp_path: Path) -> None:
    body = "Text.\n\n![a](../../photos/a.jpg)\n\n![b](/photos/b.jpg)\n"
    files = {"photos/a.jpg": picture(300, 200), "photos/b.jpg": picture(100, 100)}
    root = journal_with(tmp_path, body, files, SUBPATH_CONFIG)
    assert built(root).ok
    head = (root / "output/2024/walk/index.html").read_text(encoding="utf-8").split("</head>")[0]
    assert '<meta property="og:image" content="https://example.org/journal/photos/a.jpg">' in head
    assert '<meta property="og:image:width" content="300">' in head
    assert '<meta property="og:image:height" content="200">' in head
    assert "og:image" not in (root / "output/index.html").read_text(encoding="utf-8")


def test_a_remote_first_picture_is_the_og_image_as_it_is() -> None:
    html = '<p><img alt="x" src="data:image/png;base64,AA"><img src="https://a.example/x.jpg"></p>'
    image = lead_image(html, "https://example.org/2024/walk/")
    assert image is not None and image.url == "https://a.example/x.jpg" and image.width is None
    assert lead_image("<p>No picture.</p>", "https://example.org/") is None


# ---------------------------------------------------------------- a picture with no file


def test_a_missing_picture_is_an_error_at_its_line_and_the_site_stays(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = journal_with(tmp_path, "Text.\n\n![a](/a.jpg)\n", {"a.jpg": picture(50, 50)})
    assert main(["build", "--root", str(root)]) == 0
    before = tree_digest(root / "output")
    post = root / "content/posts/2024/walk.md"
    post.write_text(
        post_text(body="Text.\n\n![a](/a.jpg)\n\n![b](photo.jpg)\n", title="A walk"),
        encoding="utf-8",
    )
    (root / "content/static/photos").mkdir()
    (root / "content/static/photos/photo.jpg").write_bytes(picture(10, 10))
    capsys.readouterr()
    assert main(["build", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert (
        'content/posts/2024/walk.md:9: error: image "photo.jpg" not found '
        "(content/static/2024/walk/photo.jpg): did you mean /photos/photo.jpg "
        "(content/static/photos/photo.jpg)?"
    ) in err
    assert tree_digest(root / "output") == before


def test_a_file_that_is_not_a_picture_is_a_warning(tmp_path: Path) -> None:
    root = journal_with(tmp_path, "Text.\n\n![a](/a.jpg)\n", {"a.jpg": b"not a picture"})
    result = built(root)
    assert result.ok
    (problem,) = [p for p in result.problems if p.path == "content/static/a.jpg"]
    assert problem.level == "warning" and "not a picture" in problem.message
    assert "width" not in attrs(images_of(root)[0])


def test_a_journal_without_pictures_does_not_load_pillow(tmp_path: Path) -> None:
    root = make_journal(tmp_path, {"content/posts/2024/a.md": post_text(title="A")})
    code = (
        "import sys; from generator.cli import main; "
        f"code = main(['build', '--root', {str(root)!r}, '--quiet']); "
        "assert code == 0; print('PIL' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# ---------------------------------------------------------------- in a watch session


def test_picture_edits_in_a_watch_session_give_the_clean_build(tmp_path: Path) -> None:
    from conftest import OPTIONS

    body = 'Text.\n\n![a](/a.jpg "A caption")\n\n![b](/b.png)\n'
    root = journal_with(tmp_path, body, {"a.jpg": picture(1000, 500), "b.png": picture(40, 40)})
    make_journal(tmp_path, {"content/posts/2024/plain.md": post_text(title="Plain")})
    output = tmp_path / "watched"
    session = WatchSession(Request(root, output, OPTIONS), own_output=True)
    assert session.build().ok
    clean = tmp_path / "clean"
    a, b = root / "content/static/a.jpg", root / "content/static/b.png"

    a.write_bytes(picture(1200, 400, colour=20))  # new bytes, a new size
    result = session.build(changed={a})
    assert compare(result, root, output, clean, "picture edited")
    assert result.written is not None
    written = set(result.written.written)
    assert "2024/walk/index.html" in written and "2024/plain/index.html" not in written
    assert 'width="1200" height="400"' in (output / "2024/walk/index.html").read_text("utf-8")

    b.unlink()  # a picture gone: an error, the preview stays
    result = session.build(changed={b})
    assert not result.ok and not compare(result, root, output, clean, "picture removed")
    b.write_bytes(picture(30, 20, "PNG"))  # back, with another size
    assert compare(session.build(changed={b}), root, output, clean, "picture added")

    c = root / "content/static/c.jpg"
    post = root / "content/posts/2024/plain.md"
    post.write_text(post_text(title="Plain", body="![c](/c.jpg)\n"), encoding="utf-8")
    result = session.build(changed={post})
    assert not result.ok and not compare(result, root, output, clean, "picture not there yet")
    c.write_bytes(picture(900, 900))
    assert compare(session.build(changed={c}), root, output, clean, "the picture came")
    assert any(p.startswith("resized/") and "-480." in p for p in tree_digest(output))


def test_journal_clean_deletes_the_resized_copies_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = journal_with(tmp_path, "Text.\n\n![a](/big.jpg)\n", {"big.jpg": picture(1000, 500)})
    assert built(root).ok and (root / images.CACHE_FOLDER).is_dir()
    assert main(["clean", "--root", str(root)]) == 0
    assert "Removed .journal-cache/images" in capsys.readouterr().out
    assert not (root / images.CACHE_FOLDER).exists()
    assert (root / "content/static/big.jpg").is_file() and (root / "output/big.jpg").is_file()


def test_a_picture_cut_short_is_an_error_at_its_file(tmp_path: Path) -> None:
    whole = picture(1000, 500)
    root = journal_with(
        tmp_path, "Text.\n\n![a](/cut.jpg)\n", {"cut.jpg": whole[: len(whole) // 3]}
    )
    result = built(root)
    assert not result.ok and not (root / "output").exists()
    (problem,) = [p for p in result.problems if p.level == "error"]
    assert (problem.path, problem.line) == ("content/static/cut.jpg", 1)
    assert "cannot be read to its end" in problem.message


def test_a_picture_in_a_theme_intro_gets_its_size_and_caption(tmp_path: Path) -> None:
    theme = '---\nword: walk\n---\nThe year of walking.\n\n![A map](../static/map.png "Where")\n'
    root = make_journal(
        tmp_path,
        {
            "content/posts/2024/walk.md": post_text(title="A walk"),
            "content/themes/2024.md": theme,
            "content/static/map.png": picture(50, 40, "PNG"),
        },
    )
    assert built(root).ok
    html = (root / "output/2024/index.html").read_text(encoding="utf-8")
    assert '<img alt="A map" src="/map.png" width="50" height="40"' in html
    assert "<figcaption>Where</figcaption>" in html
