/* briefkit's part of the editor at /admin/ (Decap CMS), loaded after decap-cms.js and js-yaml.
 *
 * 1. The file format of briefs, `briefkit-yaml`. Decap has no widget for a mapping whose keys the editor
 *    chooses, which is what `notes:` and `figures:` are in the brief format (`notes: {sec: "text"}`):
 *    reading a brief, each such mapping becomes a list of items with a `label` (what the form shows);
 *    writing, the list becomes the mapping again, so files keep the contract's form. YAML is written as
 *    PyYAML (YAML 1.1) reads it: `'09:30'`, `'yes'` and a text like `'2024-04-29'` are quoted, the
 *    brief's dates are not. Empty optional fields are left out. A file of the folder that is not a
 *    brief (authors.yml, series.yml …) is marked, kept out of the list, and never written.
 * 2. The preview pane: the brief as the site renders it (notes, citations, figures), or its errors as
 *    `briefs/<file>:<line>:<col>: error: …` lines, from the preview server (`python build.py serve`).
 *
 * The SPEC (the page's #briefkit-cms-spec block, generated from the brief model by briefkit/cms.py)
 * says which fields are mappings, where the dates are and in which order keys are written. Node loads
 * this file too (tests/unit/test_cms_format.py): then it only exports the format.
 */
(function (root, factory) {
  'use strict';
  var jsyaml = root.jsyaml || (typeof require === 'function' ? require('js-yaml') : null);
  var api = factory(jsyaml);
  if (typeof module === 'object' && module.exports) {
    module.exports = api;
  }
  if (root.CMS && root.document) {
    api.register(root.CMS, root);
  }
})(typeof window !== 'undefined' ? window : globalThis, function (jsyaml) {
  'use strict';

  function isMapping(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
  }

  // A date of the brief (date:, updated:, a correction's date): written as a YAML date, unquoted.
  function YamlDate(text) { this.text = text; }

  var DATE_TEXT = /^[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)?$/;
  // YAML 1.1's timestamps, read as text: the form's date fields hold 'YYYY-MM-DD'. Writing, any text
  // that looks like one is quoted (PyYAML would read a date), unless it is a YamlDate.
  var timestamp = new jsyaml.Type('tag:yaml.org,2002:timestamp', {
    kind: 'scalar',
    resolve: function (data) { return data !== null && DATE_TEXT.test(data); },
    construct: function (data) { return data; },
    instanceOf: YamlDate,
    represent: function (value) { return value.text; }
  });
  // YAML 1.2's core types plus timestamps; js-yaml's writer also quotes what YAML 1.1 reads otherwise
  // (yes/no/on/off, 1:20 in base 60), as PyYAML needs.
  var SCHEMA = jsyaml.CORE_SCHEMA.extend({ implicit: [timestamp] });

  function dateText(value) {
    if (value instanceof Date && !isNaN(value)) {
      var pad = function (n) { return (n < 10 ? '0' : '') + n; };
      return value.getFullYear() + '-' + pad(value.getMonth() + 1) + '-' + pad(value.getDate());
    }
    return typeof value === 'string' ? value.trim().slice(0, 10) : value;
  }

  function makeFormat(spec) {
    var KIND = spec.kind_field;

    function isBrief(data) {
      if (data === null || data === undefined) { return true; }
      if (!isMapping(data)) { return false; }
      // a registry maps keys to mappings; a brief's title and body are texts
      return ('title' in data && !isMapping(data.title)) || ('body' in data && !isMapping(data.body));
    }

    function fromFile(content) {
      var data = jsyaml.load(content || '', { schema: SCHEMA });
      if (!isBrief(data)) {
        var other = isMapping(data) ? Object.assign({}, data) : { value: data };
        other[KIND] = 'other';
        return other;
      }
      var brief = Object.assign({}, data || {});
      Object.keys(spec.keyed).forEach(function (name) {
        var how = spec.keyed[name];
        if (!isMapping(brief[name])) { return; }
        brief[name] = Object.keys(brief[name]).map(function (key) {
          var value = brief[name][key];
          var item = {};
          item[how.key] = String(key);
          if (how.value) {
            item[how.value] = value;
          } else if (isMapping(value)) {
            Object.keys(value).forEach(function (k) { item[k] = value[k]; });
          }
          return item;
        });
      });
      // `date: 2026-12-08 09:00` (+09:00) is the date with its time (and zone) given apart, as the model
      // reads it: the form's date field holds the day only
      var moment = spec.moment;
      var given = moment && typeof brief[moment.date] === 'string' ?
        /^(\d{4}-\d{2}-\d{2})[T ](\d{1,2}:\d{2})(?::\d{2})?[ \t]*(Z|[+-]\d{2}:?\d{2})?$/.exec(brief[moment.date].trim()) : null;
      if (given && brief[moment.time] === undefined) {
        brief[moment.date] = given[1];
        brief[moment.time] = given[2];
        if (given[3] && brief[moment.timezone] === undefined) {
          brief[moment.timezone] = given[3] === 'Z' ? '+00:00' : given[3].slice(0, 3) + ':' + given[3].slice(-2);
        }
      }
      Object.keys(spec.fill).forEach(function (name) {
        if (brief[name] === undefined || brief[name] === null || brief[name] === '') {
          brief[name] = spec.fill[name];
        }
      });
      brief[KIND] = 'brief';
      return brief;
    }

    // empty optional values are left out: a form's untouched fields give '', [] or {}
    function prune(value) {
      if (Array.isArray(value)) {
        var items = value.map(prune).filter(function (v) { return v !== undefined; });
        return items.length ? items : undefined;
      }
      if (isMapping(value)) {
        var out = {};
        Object.keys(value).forEach(function (key) {
          var v = prune(value[key]);
          if (v !== undefined) { out[key] = v; }
        });
        return Object.keys(out).length ? out : undefined;
      }
      if (value === null || value === undefined || value === '') { return undefined; }
      return value;
    }

    function ordered(value, order) {
      if (!isMapping(value) || !order) { return value; }
      var out = {};
      order.forEach(function (key) { if (key in value) { out[key] = value[key]; } });
      Object.keys(value).forEach(function (key) { if (!(key in out)) { out[key] = value[key]; } });
      return out;
    }

    function markDates(value, path) {
      if (value === undefined) { return value; }
      if (!path.length) {
        var text = dateText(value);
        return typeof text === 'string' ? new YamlDate(text) : value;
      }
      var head = path[0], rest = path.slice(1);
      if (head === '*') {
        if (Array.isArray(value)) { return value.map(function (v) { return markDates(v, rest); }); }
        if (isMapping(value)) {
          var all = {};
          Object.keys(value).forEach(function (k) { all[k] = markDates(value[k], rest); });
          return all;
        }
        return value;
      }
      if (!isMapping(value) || !(head in value)) { return value; }
      var copy = Object.assign({}, value);
      copy[head] = markDates(value[head], rest);
      return copy;
    }

    function orderObjects(value, key) {
      var kind = spec.objects[key];
      if (Array.isArray(value)) {
        return value.map(function (v) { return orderObjects(v, key); });
      }
      if (!isMapping(value)) { return value; }
      var out = kind ? ordered(value, spec.order[kind]) : value;
      var copy = {};
      Object.keys(out).forEach(function (k) {
        copy[k] = spec.objects[k] ? orderObjects(out[k], k) : out[k];
      });
      return copy;
    }

    // the brief as the file holds it (a plain object, before dates and YAML)
    function toBrief(data) {
      if (data && data[KIND] === 'other') {
        throw new Error('This file is not a brief (a registry?): edit it in the file itself.');
      }
      var brief = Object.assign({}, data || {});
      delete brief[KIND];
      Object.keys(spec.drop_defaults).forEach(function (name) {
        if (brief[name] === spec.drop_defaults[name]) { delete brief[name]; }
      });
      // keys in the model's order (the form's items are still lists here: a figure is one of them)
      brief = orderObjects(ordered(prune(brief) || {}, spec.order.brief), null);
      Object.keys(spec.keyed).forEach(function (name) {
        var how = spec.keyed[name];
        if (!Array.isArray(brief[name])) { return; }
        var mapping = {};
        brief[name].forEach(function (item, i) {
          var label = isMapping(item) && item[how.key] !== undefined ? String(item[how.key]).trim() : '';
          if (!label) {
            throw new Error(name + ': item ' + (i + 1) + ' has no label');
          }
          if (Object.prototype.hasOwnProperty.call(mapping, label)) {
            throw new Error(name + ": two items are labelled '" + label + "': give each its own label");
          }
          if (how.value) {
            mapping[label] = item[how.value] === undefined ? '' : item[how.value];
          } else {
            var rest = Object.assign({}, item);
            delete rest[how.key];
            mapping[label] = rest;
          }
        });
        brief[name] = mapping;
      });
      return brief;
    }

    function toFile(data) {
      var brief = toBrief(data);
      spec.dates.forEach(function (path) { brief = markDates(brief, path); });
      return jsyaml.dump(brief, { schema: SCHEMA, lineWidth: -1, noRefs: true, quotingType: '"' });
    }

    return { fromFile: fromFile, toFile: toFile, toBrief: toBrief };
  }

  // ---- the preview pane ----

  function register(CMS, window) {
    var element = window.document.getElementById('briefkit-cms-spec');
    var spec = JSON.parse(element.textContent);
    var format = makeFormat(spec);
    CMS.registerCustomFormat('briefkit-yaml', 'yml', format);

    var h = window.h, createClass = window.createClass;
    var NO_SERVER = 'The site\u2019s own rendering of a brief is shown by the preview: run ' +
      '`python build.py serve` (or `make serve`) and open the editor at its /admin/.';

    // images uploaded while editing stay with the unsaved brief (Decap's draft media): the preview
    // server gets them with the brief, as base64, read once per file
    var readFiles = {};
    function pendingMedia(entry) {
      var files = entry.get('mediaFiles');
      files = files && files.toArray ? files.toArray() : (files || []);
      return Promise.all(files.map(function (file) {
        var get = function (key) { return file && file.get ? file.get(key) : file && file[key]; };
        var blob = get('file'), path = get('path'), id = get('id') || path;
        if (!blob || !path || !get('draft') || typeof window.FileReader !== 'function') { return null; }
        if (!readFiles[id]) {
          readFiles[id] = new Promise(function (resolve) {
            var reader = new window.FileReader();
            reader.onload = function () { resolve({ path: path, data: String(reader.result) }); };
            reader.onerror = function () { resolve(null); };
            reader.readAsDataURL(blob);
          });
        }
        return readFiles[id];
      })).then(function (all) { return all.filter(Boolean); });
    }

    function pathOf(entry, data) {
      var path = entry.get('path');
      if (path) { return path; }
      var day = dateText(data.date) || 'YYYY-MM-DD', slug = data.slug || 'new-brief';
      return spec.collection + '/' + day + '-' + slug + '.yml';
    }

    var BriefPreview = createClass({
      getInitialState: function () { return { html: null, problems: null, message: 'Rendering\u2026' }; },
      componentDidMount: function () { this.later(); },
      componentDidUpdate: function (before) { if (before.entry !== this.props.entry) { this.later(); } },
      componentWillUnmount: function () { window.clearTimeout(this.timer); this.gone = true; },
      later: function () {
        window.clearTimeout(this.timer);
        this.timer = window.setTimeout(this.send.bind(this), 500);
      },
      send: function () {
        var self = this;
        if (!window.briefkitPreview) {
          self.setState({ html: null, problems: null, message: NO_SERVER });
          return;
        }
        var data = this.props.entry.get('data');
        data = data && data.toJS ? data.toJS() : (data || {});
        var text;
        try {
          text = format.toFile(data);
        } catch (err) {
          self.setState({ html: null, problems: null, message: String(err.message || err) });
          return;
        }
        var asked = (this.asked || 0) + 1;
        this.asked = asked;
        var entry = this.props.entry;
        pendingMedia(entry).then(function (media) {
          return window.fetch(spec.preview, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ path: pathOf(entry, data), text: text, media: media })
          });
        }).then(function (response) {
          if (!response.ok) { throw new Error('HTTP ' + response.status); }
          return response.json();
        }).then(function (answer) {
          if (self.gone || asked !== self.asked) { return; }
          self.setState({ html: answer.html || null, problems: answer.problems || null,
                          message: answer.message || null });
        }).catch(function () {
          if (!self.gone && asked === self.asked) {
            self.setState({ html: null, problems: null, message: NO_SERVER });
          }
        });
      },
      render: function () {
        var state = this.state;
        var parts = [];
        if (state.problems && state.problems.length) {
          parts.push(h('div', { key: 'problems', className: 'briefkit-problems', role: 'alert',
            style: { background: '#fdecea', color: '#5f1414', borderBottom: '3px solid #b3261e',
                     padding: '0.8em 1.2em', font: '14px/1.4 system-ui, sans-serif' } },
            h('p', { style: { margin: '0 0 .4em', fontWeight: 'bold' } },
              state.problems.length + (state.problems.length === 1 ? ' problem' : ' problems') +
              ' in this brief (the same lines `python build.py check` prints):'),
            h('ol', { style: { margin: 0, paddingLeft: '1.4em' } }, state.problems.map(function (p, i) {
              return h('li', { key: i },
                h('code', { style: { whiteSpace: 'pre-wrap' } }, p.line),
                p.source ? h('pre', { style: { margin: '.2em 0 0', background: '#fff', padding: '.2em .4em',
                                               overflowX: 'auto' } }, p.source) : null);
            }))));
        }
        if (state.message) {
          parts.push(h('p', { key: 'message', className: 'briefkit-message',
            style: { font: '15px/1.5 system-ui, sans-serif', padding: '1em 1.2em', color: '#333' } },
            state.message));
        }
        if (state.html) {
          // the page of the site, scripts off; allow-same-origin lets it load the site's fonts
          parts.push(h('iframe', { key: 'page', className: 'briefkit-page', title: 'The brief as the site shows it',
            srcDoc: state.html, sandbox: 'allow-same-origin',
            style: { display: 'block', width: '100%', height: '100vh', border: 0 } }));
        }
        return h('div', { className: 'briefkit-preview' }, parts);
      }
    });
    CMS.registerPreviewTemplate(spec.collection, BriefPreview);
  }

  return { makeFormat: makeFormat, register: register, YamlDate: YamlDate };
});
