/* Site search over the static index that briefkit writes into /search-index/ (see
   briefkit/search_index.py for its format). Words are folded and split exactly as the index does
   it; tests run this file with Node on the same texts as the Python side. */
(function (global) {
  "use strict";

  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var WORD = /[\p{L}\p{N}\p{M}]+/gu;
  var ASCII = /^[\x00-\x7f]*$/;
  var PREFIX_MIN = 3;  // a query word this long also finds the words it begins ("sanction" → "sanctioned")
  var PAGE_SIZE = 10;
  var EXCERPT_WORDS = 30;

  function fold(text) {
    if (ASCII.test(text)) return text.toLowerCase();
    return text.normalize("NFKD").toLowerCase().replace(/\p{M}/gu, "").normalize("NFC");
  }

  function normalizeTerm(word) {
    if (ASCII.test(word)) {
      if (word.length < 2) return null;
      var n = word.length;
      if (n > 3 && word[n - 1] === "s" && word[n - 2] !== "s" && /^[a-z]+$/.test(word)) return word.slice(0, -1);
    }
    return word;
  }

  function terms(text) {
    var out = [];
    var words = fold(text).match(WORD) || [];
    for (var i = 0; i < words.length; i++) {
      var term = normalizeTerm(words[i]);
      if (term !== null) out.push(term);
    }
    return out;
  }

  function decodePostings(text) {
    var out = [], value = 0, page = 0;
    for (var i = 0; i < text.length; i++) {
      var digit = ALPHABET.indexOf(text[i]);
      value = value * 32 + (digit & 31);
      if (digit < 32) {
        page += Math.floor(value / 16);
        out.push([page, value % 16]);
        value = 0;
      }
    }
    return out;
  }

  /* The last chunk whose first term is not after `term`. */
  function chunkOf(chunks, term) {
    var lo = 0, hi = chunks.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (chunks[mid][0] <= term) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  function Search(base, load) {
    this.base = base;
    this.load = load || function (url) {
      return fetch(url).then(function (r) {
        if (!r.ok) throw new Error(url + ": " + r.status);
        return r.json();
      });
    };
    this.cache = {};
  }

  Search.prototype.get = function (path) {
    if (!(path in this.cache)) this.cache[path] = this.load(this.base + path);
    return this.cache[path];
  };

  /* Pages holding one query term (or, for a long enough term, a word it begins): page → weight. */
  Search.prototype.pagesOf = function (manifest, term) {
    var self = this;
    var prefix = Array.from(term).length >= PREFIX_MIN;
    var first = chunkOf(manifest.chunks, term);
    var last = prefix ? chunkOf(manifest.chunks, term + "\uffff") : first;
    var wanted = [];
    for (var i = first; i <= last; i++) wanted.push(self.get("chunks/" + manifest.chunks[i][1] + ".json"));
    return Promise.all(wanted).then(function (chunks) {
      var pages = new Map();
      chunks.forEach(function (chunk) {
        Object.keys(chunk).forEach(function (word) {
          if (word === term || (prefix && word.startsWith(term))) {
            decodePostings(chunk[word]).forEach(function (p) {
              pages.set(p[0], Math.max(pages.get(p[0]) || 0, p[1]));
            });
          }
        });
      });
      return pages;
    });
  };

  /* Pages holding every term of the query, best first: [{page, score}]. */
  Search.prototype.query = function (text) {
    var self = this;
    var wanted = Array.from(new Set(terms(text)));
    if (!wanted.length) return Promise.resolve({ terms: [], hits: [] });
    return self.get("manifest.json").then(function (manifest) {
      return Promise.all(wanted.map(function (t) { return self.pagesOf(manifest, t); })).then(function (sets) {
        var total = manifest.pages;
        var scores = new Map();
        sets.sort(function (a, b) { return a.size - b.size; });
        sets[0].forEach(function (_, page) { scores.set(page, 0); });
        sets.forEach(function (pages) {
          var idf = Math.log(1 + (total - pages.size + 0.5) / (pages.size + 0.5));
          scores.forEach(function (score, page) {
            var weight = pages.get(page);
            if (weight === undefined) scores.delete(page);
            else scores.set(page, score + idf * (weight * 2.2) / (weight + 1.2));
          });
        });
        var hits = [];
        scores.forEach(function (score, page) { hits.push({ page: page, score: score }); });
        hits.sort(function (a, b) { return b.score - a.score || a.page - b.page; });
        return { terms: wanted, hits: hits };
      });
    });
  };

  Search.prototype.record = function (page) {
    return this.get("pages/" + page + ".json");
  };

  function matches(word, wanted) {
    var term = normalizeTerm(fold(word));
    if (term === null) return false;
    return wanted.some(function (t) {
      return term === t || (Array.from(t).length >= PREFIX_MIN && term.startsWith(t));
    });
  }

  /* A window of the text around the first matching word: [{text, mark}] pieces. */
  function excerpt(text, wanted) {
    var words = [];
    var m;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text)) !== null) words.push({ start: m.index, end: m.index + m[0].length, word: m[0] });
    var hit = -1;
    for (var i = 0; i < words.length && hit < 0; i++) if (matches(words[i].word, wanted)) hit = i;
    var from = Math.max(0, (hit < 0 ? 0 : hit) - Math.floor(EXCERPT_WORDS / 3));
    var to = Math.min(words.length, from + EXCERPT_WORDS);
    if (!words.length) return [{ text: text.slice(0, 200), mark: false }];
    var pieces = [];
    var at = words[from].start;
    if (from > 0) pieces.push({ text: "… ", mark: false });
    for (var j = from; j < to; j++) {
      if (matches(words[j].word, wanted)) {
        pieces.push({ text: text.slice(at, words[j].start), mark: false });
        pieces.push({ text: words[j].word, mark: true });
        at = words[j].end;
      }
    }
    pieces.push({ text: text.slice(at, words[to - 1].end), mark: false });
    if (to < words.length) pieces.push({ text: " …", mark: false });
    return pieces.filter(function (p) { return p.text; });
  }

  function start(app) {
    var index = new URL(app.getAttribute("data-index"), document.baseURI);
    var root = new URL("../", index);
    var search = new Search(index.href);
    var input = app.querySelector("input[type=search]");
    var status = app.querySelector("[role=status]");
    var list = app.querySelector("ol");
    var more = app.querySelector("button.brief-search-more");
    var current = { run: 0, hits: [], terms: [], shown: 0 };
    var timer = null;

    function item(record) {
      var li = document.createElement("li");
      li.className = "brief-search-result";
      var link = document.createElement("a");
      link.className = "brief-search-result-title";
      link.href = new URL(record.url, root).href;
      link.textContent = record.title;
      var p = document.createElement("p");
      p.className = "brief-search-excerpt";
      if (record.lang) p.lang = record.lang;
      excerpt(record.text, current.terms).forEach(function (piece) {
        if (piece.mark) {
          var mark = document.createElement("mark");
          mark.textContent = piece.text;
          p.appendChild(mark);
        } else {
          p.appendChild(document.createTextNode(piece.text));
        }
      });
      li.appendChild(link);
      if (record.meta) {
        var meta = document.createElement("p");
        meta.className = "brief-search-meta";
        meta.textContent = record.meta;
        li.appendChild(meta);
      }
      li.appendChild(p);
      return li;
    }

    function showMore(run) {
      var next = current.hits.slice(current.shown, current.shown + PAGE_SIZE);
      current.shown += next.length;
      more.hidden = true;
      return Promise.all(next.map(function (hit) { return search.record(hit.page); })).then(function (records) {
        if (run !== current.run) return;
        records.forEach(function (record) { list.appendChild(item(record)); });
        more.hidden = current.shown >= current.hits.length;
      });
    }

    function run(query) {
      var number = ++current.run;
      query = query.trim();
      var url = new URL(window.location.href);
      if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
      window.history.replaceState(null, "", url.href);
      if (!query) {
        list.textContent = "";
        status.textContent = "";
        more.hidden = true;
        return;
      }
      search.query(query).then(function (result) {
        if (number !== current.run) return;
        current.hits = result.hits;
        current.terms = result.terms;
        current.shown = 0;
        list.textContent = "";
        var count = result.hits.length;
        status.textContent = count === 0 ? "No briefs match “" + query + "”." :
          count + (count === 1 ? " result" : " results") + " for “" + query + "”";
        return showMore(number);
      }).catch(function () {
        if (number === current.run) status.textContent = "Search is not available right now.";
      });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { run(input.value); }, 150);
    });
    app.querySelector("form").addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      run(input.value);
    });
    more.addEventListener("click", function () { showMore(current.run); });
    var initial = new URLSearchParams(window.location.search).get("q");
    if (initial) {
      input.value = initial;
      run(initial);
    } else {
      input.focus();  // arrived from the header's search button with nothing typed (phones): type here
    }
  }

  var api = { fold: fold, normalizeTerm: normalizeTerm, terms: terms, decodePostings: decodePostings,
              excerpt: excerpt, Search: Search };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = api;
  } else {
    global.briefSearch = api;
    var app = document.getElementById("brief-search-app");
    if (app) start(app);
  }
})(this);
