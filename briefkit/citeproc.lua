-- Formats citation clusters for many briefs in one pandoc process.
--
-- Run as `pandoc lua citeproc.lua < request.json > response.json`.
-- Request: {csl, batches: [{lang, separate, in_text, references: [CSL-JSON items],
--                             briefs: [{notes: [{kind, clusters}]}]}]}
--   separate: format each brief as a document of its own (for styles that number notes or references)
--   in_text: the style prints citations in the text (author-date, numeric) and a list of references;
--            needs `separate`
--   kind "cite":  the note is one citation cluster written in the body; rendered as a whole note
--                 (capitalised, with the style's closing punctuation)
--   kind "intext": a cluster written in the body, printed in the text by an in-text style
--   kind "prose": the note is prose; each cluster is formatted in place (no note-final period)
-- Response: one line per batch, in order: {briefs: [{notes: [[cluster inlines as pandoc JSON, ...], ...],
--   references: [entry inlines, ...] (in_text only)}]}
--
-- Python namespaces keys per brief so that one citeproc run per batch gives every brief its own
-- first/subsequent positions; see briefkit/cite.py.

local json = pandoc.json

-- All clusters of a batch, parsed by one pandoc.read: each source becomes a paragraph of its own.
local function parse_clusters(sources)
  local doc = pandoc.read(table.concat(sources, '\n\n'), 'markdown')
  local cites = {}
  for i, block in ipairs(doc.blocks) do
    for _, inl in ipairs(block.content or {}) do
      if inl.t == 'Cite' then cites[i] = inl; break end
    end
    if not cites[i] then error('not a citation cluster: ' .. sources[i]) end
  end
  if #doc.blocks ~= #sources then error('citation clusters could not be told apart') end
  return cites
end

-- pandoc wraps a citation that is not at the start of a note in parentheses; a cluster written
-- inside a prose note is part of the editor's sentence, so the parentheses go.
local function strip_parens(inlines)
  local first, last = inlines[1], inlines[#inlines]
  if first and first.t == 'Str' and first.text:sub(1, 1) == '(' and
     last and last.t == 'Str' and last.text:sub(-1) == ')' then
    first.text = first.text:sub(2)
    last = inlines[#inlines]
    last.text = last.text:sub(1, -2)
    if first.text == '' then inlines:remove(1) end
    if #inlines > 0 and inlines[#inlines].t == 'Str' and inlines[#inlines].text == '' then
      inlines:remove(#inlines)
    end
  end
  return inlines
end

local function note_block(note, next_cite)
  local inlines = pandoc.Inlines{}
  if note.kind == 'prose' then
    -- a placeholder word keeps every cluster away from the start of the note
    for _ in ipairs(note.clusters) do
      inlines:insert(pandoc.Str('x'))
      inlines:insert(pandoc.Space())
      inlines:insert(next_cite())
      inlines:insert(pandoc.Space())
    end
    return pandoc.Para{pandoc.Note{pandoc.Para(inlines)}}
  end
  -- a cluster written in the body: citeproc turns it into a note of its own (capitalised, with
  -- the style's closing punctuation), exactly as pandoc does for a document
  return pandoc.Para{next_cite()}
end

-- The formatted clusters of one note, in order, as lists of inlines.
local function clusters_in(block, kind, in_text)
  local first = block.content[1]
  if kind ~= 'prose' then
    -- a note style: Cite [Note [Para inlines]]; an in-text style: Cite [inlines]
    if first.content[1] and first.content[1].t == 'Note' then return {first.content[1].content[1].content} end
    return {first.content}
  end
  local out = {}
  for _, inl in ipairs(first.content[1].content) do
    -- in a note style the citation becomes part of the editor's sentence; an in-text style keeps
    -- its parentheses or brackets: "See the report (Lee 2024, 90)."
    if inl.t == 'Cite' then out[#out + 1] = in_text and inl.content or strip_parens(inl.content) end
  end
  return out
end

-- The entries of a document's list of references (citeproc's Div#refs), each as one list of inlines:
-- a numeric style's label ("[1]") and the entry's text separated by a space.
local function reference_entries(blocks)
  local entries = {}
  for _, block in ipairs(blocks) do
    if block.t == 'Div' and block.identifier == 'refs' then
      for _, entry in ipairs(block.content) do
        local inlines = pandoc.Inlines{}
        entry:walk{Plain = function(b)
          if #inlines > 0 then inlines:insert(pandoc.Space()) end
          inlines:extend(b.content)
        end, Para = function(b)
          if #inlines > 0 then inlines:insert(pandoc.Space()) end
          inlines:extend(b.content)
        end}
        entries[#entries + 1] = json.encode(inlines)
      end
    end
  end
  return entries
end

-- The response is assembled as text: each cluster is encoded once, never decoded again here.
local function json_list(parts)
  return '[' .. table.concat(parts, ',') .. ']'
end

-- The notes of `briefs` as one citeproc document: a list of blocks, one per note, in order.
local function cite_document(briefs, refs_file, csl, lang, in_text)
  local sources = {}
  for _, brief in ipairs(briefs) do
    for _, note in ipairs(brief.notes) do
      for _, src in ipairs(note.clusters) do sources[#sources + 1] = src end
    end
  end
  local cites, c = parse_clusters(sources), 0
  local function next_cite() c = c + 1; return cites[c] end
  local blocks = pandoc.Blocks{}
  for _, brief in ipairs(briefs) do
    for _, note in ipairs(brief.notes) do blocks:insert(note_block(note, next_cite)) end
  end
  local meta = {bibliography = refs_file, csl = csl, lang = lang, ['suppress-bibliography'] = not in_text}
  local ok, doc = pcall(pandoc.utils.citeproc, pandoc.Pandoc(blocks, meta))
  if not ok then return nil, doc end
  return doc.blocks
end

local function run_batch(batch, csl)
  -- citeproc reads references from a CSL-JSON file faster than from document metadata
  local base = os.tmpname()  -- creates an empty file; pandoc needs the .json extension
  local refs_file = base .. '.json'
  local fh = assert(io.open(refs_file, 'w'))
  fh:write(json.encode(batch.references))
  fh:close()
  local blocks, problem, references = {}, nil, {}
  if batch.separate then
    -- the style numbers or counts notes ("(n 3)"), or numbers references: every brief is a
    -- document of its own
    for b, brief in ipairs(batch.briefs) do
      local own
      own, problem = cite_document({brief}, refs_file, csl, batch.lang, batch.in_text)
      if not own then break end
      for _, block in ipairs(own) do
        if block.t == 'Div' and block.identifier == 'refs' then
          references[b] = reference_entries({block})
        else
          blocks[#blocks + 1] = block
        end
      end
    end
  else
    blocks, problem = cite_document(batch.briefs, refs_file, csl, batch.lang)
  end
  os.remove(refs_file)
  os.remove(base)
  if problem then error(problem, 0) end
  local briefs, i = {}, 0
  for _, brief in ipairs(batch.briefs) do
    local notes = {}
    for _, note in ipairs(brief.notes) do
      i = i + 1
      local clusters = {}
      for _, content in ipairs(clusters_in(blocks[i], note.kind, batch.in_text)) do
        clusters[#clusters + 1] = json.encode(content)
      end
      notes[#notes + 1] = json_list(clusters)
    end
    local refs = batch.in_text and (',"references":' .. json_list(references[#briefs + 1] or {})) or ''
    briefs[#briefs + 1] = '{"notes":' .. json_list(notes) .. refs .. '}'
  end
  return '{"briefs":' .. json_list(briefs) .. '}'
end

-- One line per batch, written as soon as the batch is done: the caller can use the first briefs
-- while the next batches are formatted.
local request = json.decode(io.read('a'), false)
for _, batch in ipairs(request.batches) do
  io.write(run_batch(batch, request.csl), '\n')
  io.stdout:flush()
end
