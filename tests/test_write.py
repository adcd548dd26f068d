"""Write stage: manifest, unchanged files kept, stale files removed, dangerous folders refused."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import build_journal, make_journal, post_text, tree_digest

from generator.incremental.unlooked import altered_files, keep_unlooked
from generator.pipeline.manifest import manifest_text
from generator.pipeline.write import (
    MANIFEST,
    SiteWriter,
    WriterMemory,
    output_problems,
    read_manifest,
    safe_target,
    save_manifest,
    write_site,
)

OLD = 1_000_000_000 * 10**9  # an mtime in 2001, in nanoseconds


def test_writes_files_and_a_manifest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = write_site(out, {"index.html": b"home", "2024/a/index.html": b"a"})
    assert result.written == ("2024/a/index.html", "index.html")
    assert (result.unchanged, result.deleted) == (0, ())
    assert (out / "index.html").read_bytes() == b"home"
    assert (out / "2024/a/index.html").read_bytes() == b"a"
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == ["2024/a/index.html", "index.html"]
    assert set(read_manifest(out)) == {"2024/a/index.html", "index.html"}
    assert sorted(p.name for p in out.iterdir()) == [
        MANIFEST,
        "2024",
        "index.html",
    ]  # no temp files


def test_unchanged_files_keep_their_mtimes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site(out, {"same.html": b"same", "changed.html": b"before"})
    for name in ("same.html", "changed.html"):
        os.utime(out / name, ns=(OLD, OLD))
    result = write_site(out, {"same.html": b"same", "changed.html": b"after"})
    assert result.written == ("changed.html",)
    assert result.unchanged == 1
    assert (out / "same.html").stat().st_mtime_ns == OLD
    assert (out / "changed.html").stat().st_mtime_ns != OLD
    assert (out / "changed.html").read_bytes() == b"after"


def test_a_file_edited_by_hand_is_rewritten(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site(out, {"page.html": b"generated"})
    (out / "page.html").write_bytes(b"edited!!!")  # same size, other bytes
    assert write_site(out, {"page.html": b"generated"}).written == ("page.html",)
    assert (out / "page.html").read_bytes() == b"generated"


def test_stale_files_it_wrote_are_removed_with_their_empty_folders(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site(out, {"index.html": b"x", "2023/old/index.html": b"old", "2023/keep.txt": b"k"})
    result = write_site(out, {"index.html": b"x", "2023/keep.txt": b"k"})
    assert result.deleted == ("2023/old/index.html",)
    assert not (out / "2023/old").exists()
    assert (out / "2023/keep.txt").exists()
    assert "2023/old/index.html" not in read_manifest(out)


def test_files_not_in_the_manifest_are_never_deleted(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site(out, {"index.html": b"x", "a/page.html": b"p"})
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "a" / "mine.txt").write_text("mine too", encoding="utf-8")
    result = write_site(out, {"index.html": b"y"})
    assert result.deleted == ("a/page.html",)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (out / "a" / "mine.txt").read_text(encoding="utf-8") == "mine too"


def test_a_forged_manifest_cannot_delete_outside_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "file.txt").write_text("precious", encoding="utf-8")
    write_site(out, {"index.html": b"x"})
    os.symlink(outside, out / "link")
    entry = {"sha256": "", "size": 0, "mtime_ns": 0}
    forged = {
        "../victim.txt": entry,
        str(victim): entry,
        "link/file.txt": entry,
        "index.html": entry,
    }
    (out / MANIFEST).write_text(json.dumps({"version": 1, "files": forged}), encoding="utf-8")
    write_site(out, {"index.html": b"x"})
    assert victim.read_text(encoding="utf-8") == "precious"
    assert (outside / "file.txt").read_text(encoding="utf-8") == "precious"


def test_an_unreadable_manifest_counts_as_none(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site(out, {"index.html": b"x", "old.html": b"o"})
    (out / MANIFEST).write_text("{not json", encoding="utf-8")
    result = write_site(out, {"index.html": b"x"})
    assert result.deleted == ()
    assert (out / "old.html").exists()  # not known to be ours any more: kept


@pytest.mark.parametrize("path", ["../x", "/etc/x", "a/../../x", "", "a\\..\\x", "a/\x00"])
def test_unsafe_output_paths_are_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(ValueError, match="unsafe output path"):
        safe_target(tmp_path, path)


# ---------------------------------------------------------------- refused output folders


def refusal(root: Path, output: Path) -> str:
    (problem,) = output_problems(root, output)
    assert problem.level == "error"
    return problem.message


def test_acceptable_output_folders(tmp_path: Path) -> None:
    root = make_journal(tmp_path, {"content/posts/a.md": post_text()})
    assert output_problems(root, root / "output") == []  # missing: fine
    (root / "empty").mkdir()
    assert output_problems(root, root / "empty") == []
    write_site(root / "built", {"index.html": b"x"})
    assert output_problems(root, root / "built") == []  # made by an earlier build
    assert output_problems(root, tmp_path / "elsewhere") == []


def test_refuses_the_journal_folder_itself(tmp_path: Path) -> None:
    root = make_journal(tmp_path, {})
    assert "journal's folder or holds it" in refusal(root, root)
    assert "journal's folder or holds it" in refusal(root, root / "content" / "..")


def test_refuses_a_parent_of_the_journal(tmp_path: Path) -> None:
    root = make_journal(tmp_path, {})
    assert "journal's folder or holds it" in refusal(root, tmp_path)
    assert "journal's folder or holds it" in refusal(root, Path("/"))


@pytest.mark.parametrize("inside", ["content", "content/static", "templates", ".git"])
def test_refuses_content_templates_and_git(tmp_path: Path, inside: str) -> None:
    root = make_journal(tmp_path, {"content/posts/a.md": post_text()})
    assert "inside the journal's content, templates or .git" in refusal(root, root / inside)


def test_refuses_a_non_empty_foreign_folder(tmp_path: Path) -> None:
    root = make_journal(tmp_path, {})
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "cat.jpg").write_bytes(b"meow")
    message = refusal(root, foreign)
    assert "not empty and was not made by `journal build`" in message


def test_refuses_a_symlink_to_the_journal(tmp_path: Path) -> None:
    root = make_journal(tmp_path, {})
    link = tmp_path / "sneaky"
    os.symlink(root, link)
    assert "journal's folder or holds it" in refusal(root, link)
    os.symlink(root / "content", tmp_path / "sneaky-content")
    (root / "content").mkdir(exist_ok=True)
    assert "inside the journal's content" in refusal(root, tmp_path / "sneaky-content")


def test_refuses_a_file(tmp_path: Path) -> None:
    root = make_journal(tmp_path, {})
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert "it is a file, not a folder" in refusal(root, tmp_path / "file")


def test_a_refused_build_touches_nothing(tmp_path: Path) -> None:
    root = make_journal(tmp_path, {"content/posts/a.md": post_text()})
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "cat.jpg").write_bytes(b"meow")
    before = tree_digest(tmp_path)
    result = build_journal(root, output=foreign)
    assert not result.ok and result.written is None
    assert any(p.message.startswith("refusing to build into") for p in result.problems)
    assert tree_digest(tmp_path) == before
    root_result = build_journal(root, output=root)
    assert not root_result.ok
    assert tree_digest(tmp_path) == before


def test_a_symlink_inside_the_output_leading_out_is_refused_before_any_write(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    write_site(out, {"index.html": b"old"})
    os.symlink(outside, out / "2024")
    before = tree_digest(out)
    with pytest.raises(ValueError, match="leads out of"):
        write_site(out, {"index.html": b"new", "2024/a/index.html": b"x"})
    assert list(outside.iterdir()) == []
    assert tree_digest(out) == before


def test_a_folder_where_a_page_belongs_is_refused_before_any_write(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site(out, {"index.html": b"old"})
    (out / "feed.xml").mkdir()
    before = tree_digest(out)
    with pytest.raises(ValueError, match="is a folder where a page belongs"):
        write_site(out, {"index.html": b"new", "feed.xml": b"<feed/>"})
    assert tree_digest(out) == before


def test_a_build_that_cannot_write_reports_it(tmp_path: Path) -> None:
    root = make_journal(tmp_path, {"content/posts/a.md": post_text()})
    assert build_journal(root).ok
    shutil.rmtree(root / "output" / "tags")
    os.symlink(tmp_path, root / "output" / "tags")  # where the build puts tags/index.html
    before = tree_digest(root / "output")
    result = build_journal(root)
    assert not result.ok and result.written is None
    (problem,) = [p for p in result.problems if p.level == "error"]
    assert str(problem).startswith("output:1: error: cannot write the site into output: ")
    assert tree_digest(root / "output") == before


# ---------------------------------------------------------------- what a writer remembers


def write_remembering(
    out: Path, files: dict[str, bytes], known: WriterMemory | None = None
) -> WriterMemory:
    """One build through SiteWriter, as `journal serve` does it; what it leaves the next."""
    writer = SiteWriter(out, files, known=known)
    for path in sorted(files):
        writer.put(path, files[path])
    writer.commit()
    assert writer.saved is not None
    return writer.saved


def settle(folder: Path) -> None:
    """Date every folder under `folder` (and itself) long ago, as folders left alone are."""
    for path in [folder, *sorted(p for p in folder.rglob("*") if p.is_dir())]:
        if not path.is_symlink():
            os.utime(path, ns=(OLD, OLD))


SITE = {"index.html": b"home", "2024/a/index.html": b"a", "2024/b/index.html": b"b"}


def test_a_folder_replaced_by_a_symlink_between_two_builds_is_refused(tmp_path: Path) -> None:
    out, outside = tmp_path / "out", tmp_path / "elsewhere"
    outside.mkdir()
    first = write_remembering(out, SITE)
    settle(out)
    second = write_remembering(out, SITE, known=first)
    assert "2024" in second.folders  # its sub-folders were seen plain: not looked at again
    # Move a post's folder out, leave a symlink to it, and put back the folder's mtime: the
    # file there is the same, so only the folder check can see it.
    os.rename(out / "2024/a", outside / "a")
    os.symlink(outside / "a", out / "2024/a")
    os.utime(out / "2024", ns=(OLD, OLD))
    before, before_outside = tree_digest(out), tree_digest(outside)
    with pytest.raises(ValueError, match=r"'2024/a/index\.html' leads out of"):
        write_remembering(out, {**SITE, "2024/a/index.html": b"new"}, known=second)
    with pytest.raises(ValueError, match="leads out of"):
        write_remembering(out, SITE, known=second)
    assert tree_digest(out) == before
    assert tree_digest(outside) == before_outside


def test_a_new_path_under_a_remembered_folder_is_checked(tmp_path: Path) -> None:
    out, outside = tmp_path / "out", tmp_path / "elsewhere"
    outside.mkdir()
    first = write_remembering(out, SITE)
    os.symlink(outside, out / "2024/c")  # there before the folder is remembered
    settle(out)
    second = write_remembering(out, SITE, known=first)
    assert "2024" in second.folders
    with pytest.raises(ValueError, match=r"'2024/c/index\.html' leads out of"):
        write_remembering(out, {**SITE, "2024/c/index.html": b"c"}, known=second)
    assert list(outside.iterdir()) == []


def test_remembered_folders_are_not_listed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    files = {**SITE, **{f"2024/{n}/index.html": b"p" for n in "cdefgh"}}
    first = write_remembering(out, files)
    settle(out)
    files["index.html"] = b"home, changed"  # the output folder changes, 2024 does not
    second = write_remembering(out, files, known=first)
    looked_at: list[str] = []
    scandir, lstat = os.scandir, os.lstat
    monkeypatch.setattr(os, "scandir", lambda p: looked_at.append(str(p)) or scandir(p))
    monkeypatch.setattr(os, "lstat", lambda p: looked_at.append(str(p)) or lstat(p))
    SiteWriter(out, files, known=second)
    assert str(out) in looked_at  # the output changed: its sub-folders are looked at again
    assert not [p for p in looked_at if p.startswith(str(out / "2024"))]


def test_a_memory_of_another_output_folder_is_not_used(tmp_path: Path) -> None:
    memory = write_remembering(tmp_path / "one", SITE)
    write_remembering(tmp_path / "two", {"index.html": b"two"}, known=memory)
    assert sorted(tree_digest(tmp_path / "two")) == [MANIFEST, "index.html"]
    assert (tmp_path / "two/index.html").read_bytes() == b"two"
    assert set(read_manifest(tmp_path / "two")) == {"index.html"}
    assert (tmp_path / "one/2024/a/index.html").read_bytes() == b"a"


def reference_manifest(out: Path, files: dict[str, bytes], unfinished: bool = False) -> bytes:
    """The manifest for `files` as they are in `out`, in one json.dumps."""
    entries = {
        path: {
            "sha256": hashlib.sha256(files[path]).hexdigest(),
            "size": len(files[path]),
            "mtime_ns": (out / path).stat().st_mtime_ns,
        }
        for path in sorted(files)
    }
    data: dict[str, object] = {"version": 1, "files": entries}
    if unfinished:
        data["unfinished"] = True
    return (json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")


def test_the_manifest_saved_again_is_what_json_dumps_writes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    steps: list[dict[str, bytes]] = [
        SITE,
        {**SITE, "2024/a/index.html": b"changed"},  # one entry changes
        {**SITE, 'été/"quoted"\t/index.html': b"new", "tags/x.html": b"x"},  # new paths
        {"index.html": b"home", "tags/x.html": b"y"},  # paths gone, one changed
        {"index.html": b"home", "tags/x.html": b"y"},  # nothing changed
    ]
    memory = None
    for files in steps:
        memory = write_remembering(out, files, known=memory)
        assert (out / MANIFEST).read_bytes() == reference_manifest(out, files)
    assert memory is not None and memory.text is not None
    save_manifest(out, manifest_text(read_manifest(out), memory.text), unfinished=True)
    assert (out / MANIFEST).read_bytes() == reference_manifest(out, steps[-1], unfinished=True)


def test_keep_all_keeps_only_the_files_the_manifest_vouches_for(tmp_path: Path) -> None:
    out = tmp_path / "out"
    files = {"a.html": b"a", "b.html": b"b", "c.html": b"c", "d.html": b"d"}
    write_site(out, files)
    sha = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    (out / "b.html").write_bytes(b"B")  # edited by hand
    (out / "c.html").unlink()  # deleted
    writer = SiteWriter(out, [*files, "new.html"])
    wanted = [(name, sha[name]) for name in files] + [("new.html", sha["a.html"])]
    wanted[3] = ("d.html", sha["a.html"])  # the manifest says d holds other bytes
    assert writer.keep_all(wanted) == ["b.html", "c.html", "d.html", "new.html"]
    assert writer.unchanged == 1 and set(writer.current) == {"a.html"}
    writer.abort()


def test_keep_unlooked_takes_the_remembered_manifest_at_its_word(tmp_path: Path) -> None:
    out = tmp_path / "out"
    files = {"a.html": b"a", "b.html": b"b"}
    memory = write_remembering(out, files)
    (out / "b.html").write_bytes(b"B")  # edited by hand: not looked at
    writer = SiteWriter(out, [*files, "new.html"], known=memory)
    assert writer.remembered
    assert keep_unlooked(writer, ["a.html", "b.html", "new.html"]) == ["new.html"]
    assert set(writer.current) == {"a.html", "b.html"} and writer.unchanged == 2
    writer.abort()
    assert altered_files(memory) == ["b.html"]


def test_keep_unlooked_refuses_all_once_the_manifest_changed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    files = {"a.html": b"a", "b.html": b"b"}
    memory = write_remembering(out, files)
    write_site(out, {**files, "c.html": b"c"})  # another build wrote the folder meanwhile
    writer = SiteWriter(out, files, known=memory)
    assert not writer.remembered
    assert keep_unlooked(writer, ["a.html", "b.html"]) == ["a.html", "b.html"]
    writer.abort()
    assert altered_files(memory) == ["a.html", "b.html"]


def test_altered_files_finds_files_changed_replaced_or_gone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    files = {"a.html": b"a", "b.html": b"b", "c/index.html": b"c", "d.html": b"d"}
    memory = write_remembering(out, files)
    assert altered_files(memory) == []
    (out / "a.html").write_bytes(b"A")
    (out / "c/index.html").unlink()
    (out / "d.html").unlink()
    (out / "d.html").symlink_to(out / "b.html")
    assert altered_files(memory) == ["a.html", "c/index.html", "d.html"]
