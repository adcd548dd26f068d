/* Search for the journal's /search/ page: on the first search, loads search/index.json (a
   manifest naming one part per year, newest first) and then every part at once, and searches
   in the browser. Every word typed must appear in a post's title, tags or text; accents and
   case do not matter. Results show the title, the date and a snippet around the first match. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-search-index]");
  if (!form) {
    return;
  }
  var input = form.querySelector("input[name=q]");
  var statusLine = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var indexUrl = form.getAttribute("data-search-index");
  var MAX_RESULTS = 100;
  var SNIPPET = 180;
  var loading = null;
  var timer = null;

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function getJson(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    });
  }

  /* Every post of every part, in the manifest's order (newest year first). */
  function load() {
    if (loading === null) {
      loading = getJson(indexUrl)
        .then(function (manifest) {
          return Promise.all(manifest.parts.map(getJson));
        })
        .then(function (parts) {
          var entries = [].concat.apply([], parts);
          return entries.map(function (entry, order) {
            return {
              entry: entry,
              order: order,
              title: fold(entry.title),
              tags: fold(entry.tags.join(" ")),
              text: fold(entry.text)
            };
          });
        });
    }
    return loading;
  }

  function wordsOf(query) {
    return fold(query).split(/\s+/).filter(function (word) {
      return word.length > 0;
    });
  }

  function occurrences(haystack, word) {
    var count = 0;
    var at = haystack.indexOf(word);
    while (at !== -1 && count < 50) {
      count += 1;
      at = haystack.indexOf(word, at + word.length);
    }
    return count;
  }

  function score(item, words) {
    var total = 0;
    for (var i = 0; i < words.length; i += 1) {
      var word = words[i];
      var inTitle = item.title.indexOf(word) !== -1;
      var inTags = item.tags.indexOf(word) !== -1;
      var inText = occurrences(item.text, word);
      if (!inTitle && !inTags && inText === 0) {
        return 0;
      }
      total += (inTitle ? 20 : 0) + (inTags ? 10 : 0) + inText;
    }
    return total;
  }

  function firstMatch(item, words) {
    var best = -1;
    for (var i = 0; i < words.length; i += 1) {
      var at = item.text.indexOf(words[i]);
      if (at !== -1 && (best === -1 || at < best)) {
        best = at;
      }
    }
    return best;
  }

  /* A snippet of the original text around the first match, with the words marked. Positions
     found in the folded text are used only where folding kept the text's length. */
  function snippetNode(item, words) {
    var text = item.entry.text;
    var folded = item.text.length === text.length ? item.text : text.toLowerCase();
    var at = firstMatch({ text: folded }, words);
    var start = Math.max(0, (at === -1 ? 0 : at) - 60);
    if (start > 0) {
      var space = text.indexOf(" ", start);
      start = space !== -1 && space < start + 20 ? space + 1 : start;
    }
    var end = Math.min(text.length, start + SNIPPET);
    var piece = text.slice(start, end);
    var foldedPiece = folded.slice(start, end);
    var node = document.createElement("p");
    node.className = "search-snippet";
    if (start > 0) {
      node.appendChild(document.createTextNode("… "));
    }
    var position = 0;
    while (position < piece.length) {
      var next = -1;
      var length = 0;
      for (var i = 0; i < words.length; i += 1) {
        var found = foldedPiece.indexOf(words[i], position);
        if (found !== -1 && (next === -1 || found < next)) {
          next = found;
          length = words[i].length;
        }
      }
      if (next === -1) {
        node.appendChild(document.createTextNode(piece.slice(position)));
        break;
      }
      node.appendChild(document.createTextNode(piece.slice(position, next)));
      var mark = document.createElement("mark");
      mark.textContent = piece.slice(next, next + length);
      node.appendChild(mark);
      position = next + length;
    }
    if (end < text.length) {
      node.appendChild(document.createTextNode(" …"));
    }
    return node;
  }

  function resultNode(item, words) {
    var li = document.createElement("li");
    li.className = "search-result";
    var heading = document.createElement("h2");
    var link = document.createElement("a");
    link.className = "post-link";
    link.href = item.entry.url;
    link.textContent = item.entry.title;
    heading.appendChild(link);
    li.appendChild(heading);
    var meta = document.createElement("p");
    meta.className = "meta";
    var time = document.createElement("time");
    time.dateTime = item.entry.iso;
    time.textContent = item.entry.date;
    meta.appendChild(time);
    li.appendChild(meta);
    li.appendChild(snippetNode(item, words));
    return li;
  }

  function show(query, items) {
    var words = wordsOf(query);
    list.textContent = "";
    if (words.length === 0) {
      statusLine.textContent = "Type a word to search " + items.length + " posts.";
      return;
    }
    var found = [];
    for (var i = 0; i < items.length; i += 1) {
      var points = score(items[i], words);
      if (points > 0) {
        found.push({ item: items[i], points: points });
      }
    }
    found.sort(function (a, b) {
      return b.points - a.points || a.item.order - b.item.order;
    });
    var shown = found.slice(0, MAX_RESULTS);
    for (var j = 0; j < shown.length; j += 1) {
      list.appendChild(resultNode(shown[j].item, words));
    }
    var quoted = "“" + query.trim() + "”";
    if (found.length === 0) {
      statusLine.textContent = "No post found for " + quoted + ".";
    } else {
      var more = found.length > shown.length ? " (the first " + shown.length + " shown)" : "";
      var noun = found.length === 1 ? " post" : " posts";
      statusLine.textContent = found.length + noun + " found for " + quoted + more + ".";
    }
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
    load().then(
      function (items) {
        if (input.value === query) {
          show(query, items);
        }
      },
      function (problem) {
        statusLine.textContent =
          "The search index could not be loaded (" + problem.message + "). " +
          "Search works when the site is served over http(s).";
      }
    );
  }

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
  statusLine.textContent = "Type a word to search the posts.";
  if (input.value) {
    run();
  }
})();
