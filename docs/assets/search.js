/* Site search over the static index that briefkit writes into /search-index/ (see
   briefkit/search_index.py for its format). Words are folded and split exactly as the index does
   it; tests run this file with Node on the same texts as the Python side. A run of Hangul
   syllables is split from the letters around it and looked up as its syllable pairs (or its one
   syllable): "요약" finds "요약은" (see search_index.py, "Korean"). */
(function (global) {
  "use strict";

  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  /* A word: a run of Hangul syllables, or of other letters, digits and marks (search_index._TOKEN) */
  var TOKEN = /[\uAC00-\uD7A3]+|(?:(?![\uAC00-\uD7A3])[\p{L}\p{N}\p{M}])+/gu;
  var ASCII = /^[\x00-\x7f]*$/;
  var PREFIX_MIN = 3;  // a query word this long also finds the words it begins ("sanction" → "sanctioned");
                       // Hangul terms are one or two syllables: never
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

  function isHangul(word) {
    var code = word.charCodeAt(0);
    return code >= 0xAC00 && code <= 0xD7A3;
  }

  /* The terms of one token of the folded text: a Hangul run's syllables and syllable pairs, in order
     ("요약은" → 요, 요약, 약, 약은, 은); any other word normalized, or none. */
  function tokenTerms(word) {
    if (isHangul(word)) {
      var out = [];
      for (var i = 0; i < word.length - 1; i++) out.push(word[i], word.slice(i, i + 2));
      out.push(word[word.length - 1]);
      return out;
    }
    var term = normalizeTerm(word);
    return term === null ? [] : [term];
  }

  function terms(text) {
    var out = [];
    var words = fold(text).match(TOKEN) || [];
    for (var i = 0; i < words.length; i++) Array.prototype.push.apply(out, tokenTerms(words[i]));
    return out;
  }

  /* The terms looked up for a query (search_index.query_terms): each once, without a syllable that
     a syllable pair of the query holds ("요약" → 요약: a page with the pair has its syllables). */
  function queryTerms(text) {
    var wanted = Array.from(new Set(terms(text)));
    var pairs = wanted.filter(function (t) { return t.length === 2 && isHangul(t); }).join("\0");
    return wanted.filter(function (t) { return !(t.length === 1 && isHangul(t) && pairs.indexOf(t) >= 0); });
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
    var wanted = queryTerms(text);
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

  /* The parts of a word of the text that the query's terms match, as [start, end] offsets in the
     word: in a run of Hangul syllables, each place a Hangul term of the query is (the syllables of
     "국방부" in "국방부가"); any other word whole, when one of its terms is a query term or (a term
     of three characters or more) begins one of them. */
  function marks(word, wanted) {
    if (isHangul(word)) {  // precomposed syllables fold to themselves: offsets in the word are the term's
      var found = [];
      wanted.forEach(function (t) {
        if (!isHangul(t)) return;
        for (var at = word.indexOf(t); at >= 0; at = word.indexOf(t, at + 1)) found.push([at, at + t.length]);
      });
      found.sort(function (a, b) { return a[0] - b[0]; });
      var merged = [];
      found.forEach(function (r) {
        var last = merged[merged.length - 1];
        if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]); else merged.push(r.slice());
      });
      return merged;
    }
    var hit = terms(word).some(function (term) {
      return wanted.some(function (t) {
        return term === t || (Array.from(t).length >= PREFIX_MIN && term.startsWith(t));
      });
    });
    return hit ? [[0, word.length]] : [];
  }

  /* A window of the text around the first matching word: [{text, mark}] pieces. */
  function excerpt(text, wanted) {
    var words = [];
    var m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(text)) !== null) words.push({ start: m.index, end: m.index + m[0].length, word: m[0] });
    var hit = -1;
    for (var i = 0; i < words.length && hit < 0; i++) if (marks(words[i].word, wanted).length) hit = i;
    var from = Math.max(0, (hit < 0 ? 0 : hit) - Math.floor(EXCERPT_WORDS / 3));
    var to = Math.min(words.length, from + EXCERPT_WORDS);
    if (!words.length) return [{ text: text.slice(0, 200), mark: false }];
    var pieces = [];
    var at = words[from].start;
    if (from > 0) pieces.push({ text: "… ", mark: false });
    for (var j = from; j < to; j++) {
      marks(words[j].word, wanted).forEach(function (r) {
        var start = words[j].start + r[0];
        pieces.push({ text: text.slice(at, start), mark: false });
        pieces.push({ text: text.slice(start, words[j].start + r[1]), mark: true });
        at = words[j].start + r[1];
      });
    }
    pieces.push({ text: text.slice(at, words[to - 1].end), mark: false });
    if (to < words.length) pieces.push({ text: " …", mark: false });
    return pieces.filter(function (p) { return p.text; });
  }

  function start(app) {
    // messages in the page's language (templates/i18n/, put on the page by templates/overrides/search.html)
    function label(name, english, values) {
      var text = app.getAttribute("data-label-" + name) || english;
      Object.keys(values).forEach(function (key) { text = text.split("{" + key + "}").join(values[key]); });
      return text;
    }
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
        status.textContent = count === 0 ? label("no-match", "No briefs match “{query}”.", { query: query }) :
          count === 1 ? label("result", "1 result for “{query}”", { query: query }) :
          label("results", "{count} results for “{query}”", { query: query, count: count });
        return showMore(number);
      }).catch(function () {
        if (number === current.run) status.textContent = label("unavailable", "Search is not available right now.", {});
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

  var api = { fold: fold, normalizeTerm: normalizeTerm, terms: terms, queryTerms: queryTerms,
              decodePostings: decodePostings, excerpt: excerpt, Search: Search };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = api;
  } else {
    global.briefSearch = api;
    var app = document.getElementById("brief-search-app");
    if (app) start(app);
  }
})(this);
