/* Search for the journal's /search/ page. The index is split into small files
   (generator/features/search_index.py): a query downloads the manifest (search/index.json),
   then for each word one file that gives its stem (f/N.json) and one that holds the stem's
   postings (p/N.json), and the texts of the results shown (d/N.json, four posts' each),
   ten results at a time. Every word typed must be in a post; posts are ranked by BM25,
   words of the title and tags weighing more. Words are cut and folded as the index does (accents and case do not
   matter), so "walking" finds "walks". The page's phrases come from the form's data-
   attributes, in the journal's language. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-search-index]");
  if (!form) {
    return;
  }
  var input = form.querySelector("input[name=q]");
  var statusLine = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var moreButton = document.getElementById("search-more");
  var indexUrl = new URL(form.getAttribute("data-search-index"), window.location.href);
  var plurals = new Intl.PluralRules(form.getAttribute("data-lang") || "en");
  var PAGE = 10;
  var CONTEXT_WORDS = 10;
  var SNIPPET_WORDS = 32;
  var K1 = 1.2;
  var B = 0.75;
  /* Numbers as text (search_words.py): base 32, the last digit from TERMINAL. */
  var TERMINAL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef";
  var MORE = "ghijklmnopqrstuvwxyz0123456789-_";
  /* Words as search_words.words_of cuts them: runs of letters and digits, a run of Han, of
     hiragana or of katakana a word of its own. */
  var CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff";
  var WORD = new RegExp(
    "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[\u3040-\u309f]+|[\u30a0-\u30ff]+" +
      "|(?:(?![" + CJK + "])[\\p{L}\\p{N}])+",
    "gu"
  );
  var files = new Map();
  var manifest = null;
  var timer = null;
  var shown = null;

  function phrase(name, values) {
    var text = form.getAttribute("data-" + name) || "";
    return text.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values || {}, key) ? String(values[key]) : whole;
    });
  }

  function foundPhrase(count, query) {
    var name = "found-" + plurals.select(count);
    if (!form.hasAttribute("data-" + name)) {
      name = form.hasAttribute("data-found-other") ? "found-other" : "found-one";
    }
    return phrase(name, { n: count.toLocaleString(form.getAttribute("data-lang") || "en"), query: query });
  }

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").normalize("NFC").toLowerCase();
  }

  function getJson(url) {
    var key = url.toString();
    if (!files.has(key)) {
      files.set(
        key,
        fetch(key).then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
      );
    }
    return files.get(key);
  }

  function relative(path) {
    return new URL(path, indexUrl);
  }

  function loadManifest() {
    if (manifest === null) {
      manifest = getJson(indexUrl).then(function (found) {
        var lengths = [];
        var total = 0;
        for (var i = 0; i < found.lengths.length; i += 1) {
          var step = (TERMINAL + MORE).indexOf(found.lengths.charAt(i));
          var length = Math.pow(2, step / 4);
          lengths.push(length);
          total += length;
        }
        return {
          block: found.block,
          perFile: found.per_file,
          buckets: found.buckets,
          docs: found.docs,
          lengths: lengths,
          average: lengths.length ? total / lengths.length : 1
        };
      });
    }
    return manifest;
  }

  /* FNV-1a of the word's UTF-8 bytes, as search_words.bucket_of. */
  function bucketOf(word, buckets) {
    var bytes = new TextEncoder().encode(word);
    var value = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i += 1) {
      value = Math.imul(value ^ bytes[i], 0x01000193) >>> 0;
    }
    return value % buckets;
  }

  /* A stem's postings, post number -> weight: segments of `block` posts, each its block, the
     length of the rest, then each post's distance from the last and its weight. */
  function postingsOf(text, block) {
    var weights = new Map();
    var at = 0;
    function number() {
      var value = 0;
      for (;;) {
        var char = text.charAt(at);
        at += 1;
        var terminal = TERMINAL.indexOf(char);
        if (terminal >= 0) {
          return value * 32 + terminal;
        }
        value = value * 32 + MORE.indexOf(char);
      }
    }
    while (at < text.length) {
      var doc = number() * block;
      var length = number();
      var end = at + length;
      while (at < end) {
        doc += number();
        weights.set(doc, number());
      }
    }
    return weights;
  }

  /* One letter alone is no word, but in the scripts from U+3040 on. */
  function isWord(word) {
    return word.length > 1 || word >= "\u3040";
  }

  function wordsOf(query) {
    var seen = [];
    (fold(query).match(WORD) || []).forEach(function (word) {
      if (isWord(word) && seen.indexOf(word) === -1) {
        seen.push(word);
      }
    });
    return seen;
  }

  /* A stem's postings and the words found with it; null when no post holds it. */
  function stemEntry(stem, index) {
    var stemsUrl = relative("p/" + bucketOf(stem, index.buckets) + ".json");
    return getJson(stemsUrl).then(function (entries) {
      if (!Object.prototype.hasOwnProperty.call(entries, stem)) {
        return null;
      }
      var entry = entries[stem];
      return { stem: stem, postings: postingsOf(entry.p, index.block), forms: entry.w.split(" ") };
    });
  }

  /* The first of `stems` that a post holds. */
  function firstStem(stems, index) {
    return stemEntry(stems[0], index).then(function (found) {
      return found !== null || stems.length === 1 ? found : firstStem(stems.slice(1), index);
    });
  }

  /* A word typed: its stem, if the posts hold the word. A word no post holds may still
     share its stem with one ("herons", "heron"): the script has no stemmer, so it tries the
     word less its last one, two or three letters (keeping four) as a stem. */
  function lookUp(word, index) {
    var wordsUrl = relative("f/" + bucketOf(word, index.buckets) + ".json");
    return getJson(wordsUrl).then(function (stems) {
      if (Object.prototype.hasOwnProperty.call(stems, word)) {
        return stemEntry(stems[word], index);
      }
      var tries = [word];
      for (var cut = 1; cut <= 3 && word.length - cut >= 4; cut += 1) {
        tries.push(word.slice(0, word.length - cut));
      }
      return firstStem(tries, index);
    });
  }

  function rank(found, index) {
    if (found.some(function (term) { return term === null; })) {
      return [];
    }
    var rarest = found.slice().sort(function (a, b) {
      return a.postings.size - b.postings.size;
    })[0];
    var results = [];
    rarest.postings.forEach(function (unused, doc) {
      var score = 0;
      for (var i = 0; i < found.length; i += 1) {
        var weight = found[i].postings.get(doc);
        if (weight === undefined) {
          return;
        }
        var n = found[i].postings.size;
        var idf = Math.log(1 + (index.docs - n + 0.5) / (n + 0.5));
        var norm = 1 - B + (B * (index.lengths[doc] || 1)) / index.average;
        score += (idf * weight * (K1 + 1)) / (weight + K1 * norm);
      }
      results.push({ doc: doc, score: score });
    });
    results.sort(function (a, b) {
      return b.score - a.score || b.doc - a.doc;
    });
    return results;
  }

  /* The text around the first word of `forms`, cut at words, with those words marked. */
  function snippetNode(text, forms) {
    var tokens = [];
    var match;
    WORD.lastIndex = 0;
    while ((match = WORD.exec(text)) !== null) {
      tokens.push({ start: match.index, end: match.index + match[0].length, marked: forms.has(fold(match[0])) });
    }
    var first = 0;
    while (first < tokens.length && !tokens[first].marked) {
      first += 1;
    }
    if (first === tokens.length) {
      first = 0;
    }
    var from = Math.max(0, first - CONTEXT_WORDS);
    var to = Math.min(tokens.length, from + SNIPPET_WORDS);
    var node = document.createElement("p");
    node.className = "search-snippet";
    if (!tokens.length) {
      return node;
    }
    var start = tokens[from].start;
    var end = to < tokens.length ? tokens[to - 1].end : text.length;
    if (start > 0) {
      node.appendChild(document.createTextNode("… "));
    }
    var at = start;
    for (var i = from; i < to; i += 1) {
      if (tokens[i].marked) {
        node.appendChild(document.createTextNode(text.slice(at, tokens[i].start)));
        var mark = document.createElement("mark");
        mark.textContent = text.slice(tokens[i].start, tokens[i].end);
        node.appendChild(mark);
        at = tokens[i].end;
      }
    }
    node.appendChild(document.createTextNode(text.slice(at, end)));
    if (end < text.length) {
      node.appendChild(document.createTextNode(" …"));
    }
    return node;
  }

  function resultNode(doc, forms) {
    var li = document.createElement("li");
    li.className = "search-result";
    var heading = document.createElement("h2");
    var link = document.createElement("a");
    link.className = "post-link";
    link.href = doc.url;
    link.textContent = doc.title;
    heading.appendChild(link);
    li.appendChild(heading);
    var meta = document.createElement("p");
    meta.className = "meta";
    var time = document.createElement("time");
    time.dateTime = doc.iso;
    time.textContent = doc.date;
    meta.appendChild(time);
    li.appendChild(meta);
    li.appendChild(snippetNode(doc.text, forms));
    return li;
  }

  /* The next page of results: their texts are fetched, then shown in rank order. */
  function showMore(state) {
    var next = state.results.slice(state.shown, state.shown + PAGE);
    list.removeAttribute("data-shown");
    state.shown += next.length;
    moreButton.hidden = true;
    return Promise.all(
      next.map(function (result) {
        var file = Math.floor(result.doc / state.perFile);
        return getJson(relative("d/" + file + ".json")).then(function (docs) {
          return docs[result.doc % state.perFile];
        });
      })
    ).then(function (docs) {
      if (shown !== state) {
        return;
      }
      docs.forEach(function (doc) {
        list.appendChild(resultNode(doc, state.forms));
      });
      moreButton.hidden = state.shown >= state.results.length;
      list.setAttribute("data-shown", state.query); /* (the results of `query` are shown) */
    });
  }

  function search(query) {
    var words = wordsOf(query);
    if (words.length === 0) {
      shown = null;
      list.textContent = "";
      moreButton.hidden = true;
      statusLine.textContent = phrase("prompt");
      return Promise.resolve();
    }
    statusLine.textContent = phrase("searching");
    return loadManifest().then(function (index) {
      return Promise.all(
        words.map(function (word) {
          return lookUp(word, index);
        })
      ).then(function (found) {
        if (input.value !== query) {
          return;
        }
        var forms = new Set();
        found.forEach(function (term) {
          (term ? term.forms : []).forEach(function (form) {
            forms.add(form);
          });
        });
        var state = {
          query: query,
          results: rank(found, index),
          shown: 0,
          forms: forms,
          perFile: index.perFile
        };
        shown = state;
        list.textContent = "";
        var quoted = query.trim();
        statusLine.textContent = state.results.length
          ? foundPhrase(state.results.length, quoted)
          : phrase("none", { query: quoted });
        return showMore(state);
      });
    });
  }

  function run() {
    var query = input.value;
    var url = new URL(window.location.href);
    if (query.trim()) {
      url.searchParams.set("q", query);
    } else {
      url.searchParams.delete("q");
    }
    window.history.replaceState(null, "", url.toString());
    search(query).catch(function (problem) {
      statusLine.textContent = phrase("failed", { error: problem.message });
    });
  }

  moreButton.textContent = phrase("more");
  moreButton.addEventListener("click", function () {
    if (shown !== null) {
      showMore(shown).catch(function (problem) {
        statusLine.textContent = phrase("failed", { error: problem.message });
      });
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(run, 120);
  });
  var initial = new URL(window.location.href).searchParams.get("q");
  if (initial) {
    input.value = initial;
  }
  statusLine.textContent = phrase("prompt");
  if (input.value) {
    run();
  }
})();
