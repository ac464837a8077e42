-- Formats citation clusters for many briefs in one pandoc process.
--
-- Run as `pandoc lua citeproc.lua < request.json > response.json`.
-- Request: {csl, batches: [{lang, references: [CSL-JSON items], briefs: [{notes: [{kind, clusters}]}]}]}
--   kind "cite":  the note is one citation cluster written in the body; rendered as a whole note
--                 (capitalised, with the style's closing punctuation)
--   kind "prose": the note is prose; each cluster is formatted in place (no note-final period)
-- Response: {batches: [{briefs: [{notes: [[cluster inlines as pandoc JSON, ...], ...]}]}]}
--
-- Python namespaces keys per brief so that one citeproc run per batch gives every brief its own
-- first/subsequent positions; see briefkit/cite.py.

local json = pandoc.json

local function first_cite(src)
  local doc = pandoc.read(src, 'markdown')
  local found
  doc:walk{Cite = function(c) if not found then found = c end end}
  if not found then error('not a citation cluster: ' .. src) end
  return found
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

local function note_block(note)
  local inlines = pandoc.Inlines{}
  if note.kind == 'prose' then
    -- a placeholder word keeps every cluster away from the start of the note
    for _, src in ipairs(note.clusters) do
      inlines:insert(pandoc.Str('x'))
      inlines:insert(pandoc.Space())
      inlines:insert(first_cite(src))
      inlines:insert(pandoc.Space())
    end
    return pandoc.Para{pandoc.Note{pandoc.Para(inlines)}}
  end
  -- a cluster written in the body: citeproc turns it into a note of its own (capitalised, with
  -- the style's closing punctuation), exactly as pandoc does for a document
  return pandoc.Para{first_cite(note.clusters[1])}
end

-- The formatted clusters of one note, in order, as lists of inlines.
local function clusters_in(block, kind)
  local first = block.content[1]
  if kind ~= 'prose' then
    -- Cite [Note [Para inlines]]
    return {first.content[1].content[1].content}
  end
  local out = {}
  for _, inl in ipairs(first.content[1].content) do
    if inl.t == 'Cite' then out[#out + 1] = strip_parens(inl.content) end
  end
  return out
end

local function run_batch(batch, csl)
  local refs = pandoc.read(json.encode(batch.references), 'csljson').meta.references
  local blocks = pandoc.Blocks{}
  for _, brief in ipairs(batch.briefs) do
    for _, note in ipairs(brief.notes) do blocks:insert(note_block(note)) end
  end
  local meta = {references = refs, csl = csl, lang = batch.lang, ['suppress-bibliography'] = true}
  local doc = pandoc.utils.citeproc(pandoc.Pandoc(blocks, meta))
  local result, i = {}, 0
  for _, brief in ipairs(batch.briefs) do
    local notes = {}
    for n, note in ipairs(brief.notes) do
      i = i + 1
      local clusters = {}
      for _, content in ipairs(clusters_in(doc.blocks[i], note.kind)) do
        clusters[#clusters + 1] = json.decode(json.encode(content), false)
      end
      notes[n] = clusters
    end
    result[#result + 1] = {notes = notes}
  end
  return {briefs = result}
end

local request = json.decode(io.read('a'), false)
local out = {}
for b, batch in ipairs(request.batches) do out[b] = run_batch(batch, request.csl) end
io.write(json.encode({batches = out}))
