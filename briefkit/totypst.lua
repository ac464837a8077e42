-- Converts the Markdown pieces of many briefs to Typst markup in one pandoc process.
--
-- Run as `pandoc lua totypst.lua < request.json > response.json`.
-- Request: {docs: [{parts: {name: markdown}, citations: [inlines], notes: [{template, citations: [inlines]}],
--                   references: [inlines], lang}]}
--   A note's template is its Markdown with each formatted citation replaced by the marker
--   U+E100 <index> U+E101; the marker is swapped for the citation's inlines after reading, so the
--   PDF prints the very citations the web page prints. The same for the in-text citations of the
--   body (an in-text style), in `citations`; `references`: the entries of its list of references.
-- Response: {docs: [{parts: {name: typst}, notes: [typst], references: [typst]}]}

local json = pandoc.json
-- The site's Markdown has no TeX: `$x^2$` or `\emph{}` print as typed on the web page, so here too
-- (pandoc would make math, which needs a math font the PDF does not ship, or drop the command).
local READER = 'markdown-smart-citations-implicit_figures-tex_math_dollars-raw_tex'
local OPEN, CLOSE = '\u{E100}', '\u{E101}'

-- pandoc's Typst writer prints ’ and ‘ as ' and leaves the quote to Typst's smart quotes, which the
-- layout turns off (the text has the web page's typography already): they are written as escapes.
local SINGLE_QUOTES = {['’'] = '#"\u{2019}"', ['‘'] = '#"\u{2018}"'}

local function keep_single_quotes(s)
  if not (s.text:find('’', 1, true) or s.text:find('‘', 1, true)) then return nil end
  local out, rest = pandoc.Inlines{}, s.text
  while #rest > 0 do
    -- the quotes are three bytes long in UTF-8: find them by their bytes
    local at, mark = nil, nil
    for q in pairs(SINGLE_QUOTES) do
      local i = rest:find(q, 1, true)
      if i and (not at or i < at) then at, mark = i, q end
    end
    if not at then out:insert(pandoc.Str(rest)); break end
    if at > 1 then out:insert(pandoc.Str(rest:sub(1, at - 1))) end
    out:insert(pandoc.RawInline('typst', SINGLE_QUOTES[mark]))
    rest = rest:sub(at + #mark)
  end
  return out
end

local function has_hangul(text)
  -- (most words have no byte that can start Hangul in UTF-8: E1 jamo, E3 compatibility jamo, EA-ED syllables)
  if not text:find('[\xE1\xE3\xEA-\xED]') then return false end
  for _, code in utf8.codes(text) do
    if (code >= 0x1100 and code <= 0x11FF) or (code >= 0x3130 and code <= 0x318F)
       or (code >= 0xAC00 and code <= 0xD7A3) then
      return true
    end
  end
  return false
end

local function raw(text) return pandoc.RawInline('typst', text) end

-- A word as Typst prints it. Its single quotes are escaped (above). A word with Hangul is kept whole
-- in a box: Korean lines break between words, never inside one (the web page's `word-break:
-- keep-all`; Typst would break between any two syllables, "해/석된다"), and the text copied or read
-- aloud stays the same. In a brief that is not Korean, it is also marked Korean (a name, a quoted
-- title): screen readers read it so (the PDF tags it /Lang ko).
local function print_word(s, mark_korean)
  if not has_hangul(s.text) then return keep_single_quotes(s) end
  local out = pandoc.Inlines{raw(mark_korean and '#text(lang: "ko")[#box[' or '#box[')}
  out:extend(keep_single_quotes(s) or {s})
  out:insert(raw(mark_korean and ']]' or ']'))
  return out
end

-- A span marked with a language (East Asian script in a citation, see briefkit/inlines.py) keeps
-- it in Typst, upright as on the web page; pandoc's Typst writer would drop the language.
local function language_span(span)
  local lang = span.attributes.lang
  if not lang or not lang:match('^[a-z][a-z]?[a-z]?$') then return nil end
  local out = pandoc.Inlines{raw('#text(lang: "' .. lang .. '", style: "normal")[')}
  out:extend(span.content:walk{Str = function(s) return print_word(s, false) end})
  out:insert(raw(']'))
  return out, false  -- its words are done
end

-- Whether a text (its Markdown, or its citations as JSON) has what print_word or language_span
-- change: a single quote, a byte that may start Hangul, a span with a language.
local function has_special_words(text)
  return text:find('[\xE1\xE3\xEA-\xED]') or text:find('’', 1, true) or text:find('‘', 1, true)
    or text:find('"lang"', 1, true)
end

-- One text written as inline Typst content (no trailing paragraph break), in a brief in `lang`. At
-- most one pass over the words, and none when `words` says no word needs it: a pass costs a round
-- trip of every word to Lua (most English texts have no single quote and no Hangul).
local function typst_inline(doc, lang, words)
  local mark_korean = lang ~= 'ko'
  if words then
    doc = doc:walk{traverse = 'topdown', Span = language_span,
                   Str = function(s) return print_word(s, mark_korean) end}
  end
  local text = pandoc.write(doc, 'typst', {wrap_text = 'none'})
  return (text:gsub('%s+$', ''))
end

local function splice(inlines, citations)
  local out = pandoc.Inlines{}
  for _, inl in ipairs(inlines) do
    if inl.t == 'Str' and inl.text:find(OPEN, 1, true) then
      local text = inl.text
      while true do
        local s, e, index = text:find(OPEN .. '(%d+)' .. CLOSE)
        if not s then break end
        if s > 1 then out:insert(pandoc.Str(text:sub(1, s - 1))) end
        out:extend(citations[tonumber(index) + 1])
        text = text:sub(e + 1)
      end
      if #text > 0 then out:insert(pandoc.Str(text)) end
    else
      out:insert(inl)
    end
  end
  return out
end

-- Typst's PDF/UA-1 check wants headings that start at level 1 and never skip a level. The title is
-- level 1, so the body's headings start at 2: `#` and `##` become 2, and a heading deeper than the one
-- before it by more than one level comes up to the next level (`##` then `####` prints 2, 3). The web
-- page keeps what the editor wrote.
local function even_headings(doc)
  local previous = 1
  return doc:walk{traverse = 'topdown', Header = function(h)
    h.level = math.max(2, math.min(h.level, previous + 1))
    previous = h.level
    return h
  end}
end

local function convert_note(note, lang)
  local citations, words = {}, has_special_words(note.template)
  for i, c in ipairs(note.citations) do
    local text = json.encode(c)
    words = words or has_special_words(text)
    citations[i] = pandoc.Inlines(json.decode(text))
  end
  local doc = pandoc.read(note.template, READER)
  if #citations > 0 then
    doc = doc:walk{Inlines = function(inlines) return splice(inlines, citations) end}
  end
  return typst_inline(doc, lang, words)
end

-- Inlines from their JSON, and whether any has special words (has_special_words).
local function inlines_of(list)
  local out, words = {}, false
  for i, c in ipairs(list or {}) do
    local text = json.encode(c)
    words = words or has_special_words(text)
    out[i] = pandoc.Inlines(json.decode(text))
  end
  return out, words
end

local request = json.decode(io.read('a'), false)
local out = {}
for i, d in ipairs(request.docs) do
  local parts = {}
  local citations, cited_words = inlines_of(d.citations)
  for name, text in pairs(d.parts) do
    local doc = pandoc.read(text, READER)
    if name == 'body' then doc = even_headings(doc) end
    if #citations > 0 then
      doc = doc:walk{Inlines = function(inlines) return splice(inlines, citations) end}
    end
    parts[name] = typst_inline(doc, d.lang, cited_words or has_special_words(text))
  end
  local notes = {}
  for n, note in ipairs(d.notes) do notes[n] = convert_note(note, d.lang) end
  local references = {}
  for n, entry in ipairs(inlines_of(d.references)) do
    references[n] = typst_inline(pandoc.Pandoc({pandoc.Plain(entry)}), d.lang, true)
  end
  out[i] = {parts = parts, notes = notes, references = references}
end
io.write(json.encode({docs = out}))
