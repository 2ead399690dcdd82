// kgqa web page: Ask (a conversation with clarifications, answers with their SPARQL, entities and
// facts, corrections), Query (a SPARQL editor) and Browse (entity pages, documents).
//
// Every piece of data is put into the page as text (textContent, Node.append of strings, or
// CodeMirror's runMode, which makes text nodes): labels and literals are never parsed as markup.
// Links to entities are always our own /entity?iri=... URL, never an IRI used as a link.
"use strict";
(function () {
  const CSRF = document.querySelector('meta[name="kgqa-csrf"]').content;
  const $ = (id) => document.getElementById(id);
  const state = { info: { prefixes: {}, properties: {}, allow_updates: false }, session: null, feedback: null, last: null };

  // -- small DOM and HTTP helpers --------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== false) node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function oneLine(text) {
    const line = String(text || "").split("\n").map((s) => s.trim()).find((s) => s) || "unknown error";
    return line.length > 400 ? line.slice(0, 400) + "…" : line;
  }

  async function errorOf(response) {
    const text = await response.text();
    try {
      const detail = JSON.parse(text).detail;
      return `${response.status}: ${oneLine(typeof detail === "string" ? detail : JSON.stringify(detail))}`;
    } catch (_) {
      return `${response.status}: ${oneLine(text)}`;
    }
  }

  function request(method, url, body, headers) {
    const options = { method, headers: { "X-Kgqa-Csrf": CSRF, ...(headers || {}) } };
    if (body !== undefined) {
      options.body = JSON.stringify(body);
      options.headers["Content-Type"] = "application/json";
    }
    return fetch(url, options);
  }

  async function getJSON(method, url, body) {
    const response = await request(method, url, body);
    if (!response.ok) throw new Error(await errorOf(response));
    return response.json();
  }

  function entityHref(iri) {
    return "/entity?" + new URLSearchParams({ iri });
  }

  function entityLink(iri, label) {
    return el("a", { href: entityHref(iri), class: "entity-link", title: iri }, label || iri);
  }

  function shortName(iri) {
    const cut = Math.max(iri.lastIndexOf("#"), iri.lastIndexOf("/"));
    return cut >= 0 && cut < iri.length - 1 ? iri.slice(cut + 1) : iri;
  }

  function propertyLabel(iri) {
    return state.info.properties[iri] || shortName(iri);
  }

  function compact(iri) {
    for (const [name, ns] of Object.entries(state.info.prefixes)) {
      if (iri.startsWith(ns) && /^[\w-]+$/.test(iri.slice(ns.length))) return `${name}:${iri.slice(ns.length)}`;
    }
    return `<${iri}>`;
  }

  function percent(x) {
    return typeof x === "number" ? x.toFixed(2) : "";
  }

  function badge(kind, text) {
    return el("span", { class: `badge badge-${kind}` }, text || kind);
  }

  function highlighted(sentence, span) {
    if (!span) return el("q", { class: "sentence" }, sentence);
    return el("q", { class: "sentence" }, sentence.slice(0, span[0]), el("mark", {}, sentence.slice(span[0], span[1])),
      sentence.slice(span[1]));
  }

  function sparqlBlock(query) {
    const pre = el("pre", { class: "cm-s-default sparql-code", tabindex: "0" });
    if (window.CodeMirror && CodeMirror.runMode) CodeMirror.runMode(query, "sparql", pre);
    else pre.textContent = query;
    return pre;
  }

  // -- tabs ----------------------------------------------------------------------------
  const TABS = ["ask", "query", "browse"];

  function showTab(name, focus) {
    for (const tab of TABS) {
      const button = $(`tab-${tab}`);
      const selected = tab === name;
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
      $(`panel-${tab}`).hidden = !selected;
    }
    if (focus) $(`tab-${name}`).focus();
    if (name === "query" && state.editor) state.editor.refresh();
    if (location.pathname === "/" && location.hash !== `#${name}`) history.replaceState(null, "", name === "ask" ? "/" : `/#${name}`);
  }

  for (const tab of TABS) {
    $(`tab-${tab}`).addEventListener("click", () => showTab(tab));
    $(`tab-${tab}`).addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (step) showTab(TABS[(TABS.indexOf(tab) + step + TABS.length) % TABS.length], true);
    });
  }

  window.addEventListener("hashchange", () => {
    const name = location.hash.slice(1);
    if (TABS.includes(name)) showTab(name);
  });

  // -- corrections count ------------------------------------------------------------------
  function showPending(pending) {
    const line = $("corrections");
    line.hidden = false;
    line.textContent = `${pending} correction${pending === 1 ? "" : "s"} waiting for training`;
  }

  async function loadFeedback() {
    const response = await request("GET", "/feedback");
    state.feedback = response.ok;
    if (response.ok) showPending((await response.json()).pending);
  }

  // -- Ask ---------------------------------------------------------------------------------
  async function sessionId() {
    if (!state.session) {
      state.session = sessionStorage.getItem("kgqa-session");
    }
    if (!state.session) {
      state.session = (await getJSON("POST", "/sessions")).id;
      sessionStorage.setItem("kgqa-session", state.session);
    }
    return state.session;
  }

  function addTurn(role, ...content) {
    const turn = el("article", { class: `turn turn-${role}` }, ...content);
    $("conversation").append(turn);
    turn.scrollIntoView({ block: "nearest" });
    return turn;
  }

  async function converse(path, body, shown) {
    // A new question or a reply settles every clarification on screen.
    for (const button of document.querySelectorAll("#conversation .option")) button.disabled = true;
    addTurn("user", el("p", {}, shown));
    const waiting = addTurn("system pending", el("p", { class: "muted" }, "Thinking…"));
    const started = performance.now();
    try {
      const sid = await sessionId();
      const reply = await getJSON("POST", `/sessions/${encodeURIComponent(sid)}/${path}`, body);
      waiting.replaceWith(reply.type === "clarification" ? renderClarification(reply) : renderAnswer(reply, body.question || reply.question));
      // From the question sent to the reply on screen (the browser test reports it).
      performance.measure("kgqa-answer", { start: started });
    } catch (error) {
      waiting.replaceWith(el("article", { class: "turn turn-system" }, el("p", { class: "error" }, error.message)));
    }
  }

  function renderClarification(reply) {
    const buttons = reply.options.map((option) =>
      el("button", {
        type: "button", class: "option",
        onclick: () => converse("reply", { option: option.number }, option.description || option.label),
      }, option.description || option.label));
    return el("article", { class: "turn turn-system clarification" },
      el("p", { class: "answer-text" }, reply.text), el("div", { class: "options" }, buttons));
  }

  function inferredBadge(answer) {
    if (!answer.inferred) return null;
    const confidences = [...answer.answers, ...answer.facts]
      .filter((x) => (x.inferred || x.kind === "inferred") && typeof x.confidence === "number").map((x) => x.confidence);
    const text = confidences.length ? `rests on inferred links · confidence ${percent(Math.min(...confidences))}` : "rests on inferred links";
    return badge("inferred", text);
  }

  function renderAnswer(answer, question) {
    const parts = [el("p", { class: "answer-text" }, answer.text || "(no answer)"), inferredBadge(answer)];
    if (answer.answers && answer.answers.length) {
      parts.push(el("ul", { class: "answers" }, answer.answers.map((item) =>
        el("li", {}, item.iri ? entityLink(item.iri, item.label) : el("span", { class: "literal" }, item.label),
          item.inferred ? [" ", badge("inferred", `inferred ${percent(item.confidence)}`)] : null))));
    }
    if (answer.sparql) {
      parts.push(el("details", { class: "sparql", open: true }, el("summary", {}, "SPARQL"), sparqlBlock(answer.sparql),
        el("button", { type: "button", class: "secondary open-query", onclick: () => openInQuery(answer.sparql) }, "Open in Query tab")));
    }
    if (answer.linked && answer.linked.length) parts.push(renderLinked(answer.linked));
    if (answer.facts && answer.facts.length) parts.push(renderFacts(answer.facts));
    parts.push(renderCorrection(question || answer.question));
    const timing = answer.timings_ms && answer.timings_ms.total;
    parts.push(el("p", { class: "muted small" }, `confidence ${percent(answer.confidence)}`, timing ? ` · ${Math.round(timing)} ms` : ""));
    return el("article", { class: "turn turn-system answer" }, parts);
  }

  function renderLinked(linked) {
    const rows = linked.map((mention) => {
      const chosen = new Set(mention.chosen || []);
      return el("tr", {}, el("td", {}, mention.surface), el("td", {}, mention.role),
        el("td", {}, el("ul", { class: "candidates" }, mention.candidates.map((c) =>
          el("li", { class: chosen.has(c.iri) ? "chosen" : "" }, entityLink(c.iri, c.label), ` ${percent(c.prob)}`,
            chosen.has(c.iri) ? badge("chosen", "used") : null)))));
    });
    return el("details", { class: "linked" }, el("summary", {}, `Linked entities (${linked.length})`),
      el("div", { class: "scroll" }, el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "mention"), el("th", {}, "role"),
        el("th", {}, "candidates (probability)"))), el("tbody", {}, rows))));
  }

  function renderFacts(facts) {
    const items = facts.slice(0, 50).map((fact) => {
      const evidence = el("div", { class: "evidence" });
      const item = el("li", { class: "fact" },
        el("span", { class: "triple" }, entityLink(fact.subject, fact.subject_label), " — ", propertyLabel(fact.predicate), " → ",
          /^https?:|^urn:/.test(fact.object) && fact.object_label !== fact.object ? entityLink(fact.object, fact.object_label) : fact.object_label),
        " ", badge(fact.kind), fact.confidence !== null ? ` confidence ${percent(fact.confidence)}` : "",
        fact.rule ? el("span", { class: "muted" }, ` rule: ${fact.rule}`) : null,
        el("div", { class: "muted small", title: (fact.sources || []).join("\n") }, (fact.sources || []).map(shortName).join(", "),
          fact.extractor ? ` · extractor ${fact.extractor}` : "",
          fact.location ? ` · ${fact.location}` : ""),
        evidence);
      if (fact.extractor) loadEvidence(fact, evidence);
      return item;
    });
    return el("details", { class: "facts", open: true }, el("summary", {}, `Facts (${facts.length})`), el("ul", {}, items));
  }

  async function loadEvidence(fact, into) {
    try {
      const params = new URLSearchParams({ subject: fact.subject, predicate: fact.predicate, object: fact.object });
      const statements = await getJSON("GET", `/web/api/statements?${params}`);
      for (const st of statements.slice(0, 3)) if (st.sentence) into.append(highlighted(st.sentence, st.highlight));
    } catch (_) { /* the fact is shown anyway; its sentence is a bonus */ }
  }

  function renderCorrection(question) {
    const field = el("textarea", { rows: "2", class: "correction-input", "aria-label": "The right answer" });
    const status = el("p", { class: "muted small correction-status", "aria-live": "polite" });
    const submit = el("button", { type: "submit" }, "Record correction");
    const form = el("form", { class: "correction" },
      el("label", {}, "The right answer (one per line: a name or an IRI)", field), submit, status);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const answers = field.value.split(/\n|;/).map((s) => s.trim()).filter((s) => s);
      if (!answers.length) { status.textContent = "Write the right answer first."; return; }
      submit.disabled = true;
      try {
        const response = await request("POST", "/feedback", { question, answers });
        if (response.status === 404) throw new Error("this server has no feedback API (/feedback)");
        if (!response.ok) throw new Error(await errorOf(response));
        const data = await response.json();
        showPending(data.pending);
        status.textContent = `Recorded. ${data.pending} correction${data.pending === 1 ? "" : "s"} waiting for training (kgqa train translator).`;
      } catch (error) {
        status.textContent = error.message;
        status.classList.add("error");
        submit.disabled = false;
      }
    });
    return el("details", { class: "wrong" }, el("summary", {}, "Wrong answer?"), form);
  }

  $("ask-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const question = $("question").value.trim();
    if (!question) return;
    $("question").value = "";
    converse("ask", { question }, question);
  });

  $("new-session").addEventListener("click", () => {
    sessionStorage.removeItem("kgqa-session");
    state.session = null;
    $("conversation").replaceChildren();
    $("question").focus();
  });

  // -- Query ---------------------------------------------------------------------------------
  const UPDATE_WORDS = /^(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)$/i;

  function isUpdate(text) {
    // Strings, IRIs and comments hide no keyword; PREFIX and BASE lines come before the operation.
    const bare = text
      .replace(/"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\s]*>/g, " ")
      .replace(/#[^\n]*/g, " ")
      .replace(/\bPREFIX\s+[\w.-]*:/gi, " ")
      .replace(/\bBASE\b/gi, " ");
    const first = /[A-Za-z]+/.exec(bare);
    return Boolean(first && UPDATE_WORDS.test(first[0]));
  }

  function prefixLines(names) {
    return names.map((name) => `PREFIX ${name}: <${state.info.prefixes[name]}>`).join("\n");
  }

  function openInQuery(query) {
    state.editor.setValue(query);
    showTab("query");
    state.editor.focus();
  }

  function addMissingPrefixes() {
    const text = state.editor.getValue();
    const declared = new Set([...text.matchAll(/PREFIX\s+([\w.-]*):/gi)].map((m) => m[1]));
    const bare = text.replace(/<[^<>\s]*>|"(?:[^"\\\n]|\\.)*"|#[^\n]*/g, " ");
    const used = new Set([...bare.matchAll(/(?:^|[\s(,;{}^/|!])([A-Za-z][\w-]*):/g)].map((m) => m[1]));
    const missing = [...used].filter((name) => !declared.has(name) && name in state.info.prefixes);
    if (missing.length) state.editor.setValue(prefixLines(missing) + "\n" + text);
  }

  function termCell(term) {
    if (!term) return el("td", {});
    if (term.type === "uri") return el("td", {}, entityLink(term.value, compact(term.value)));
    if (term.type === "bnode") return el("td", {}, `_:${term.value}`);
    const note = term["xml:lang"] ? `@${term["xml:lang"]}` : term.datatype ? compact(term.datatype) : null;
    return el("td", { title: note }, term.value);
  }

  const SHOWN_ROWS = 1000;

  function renderTable(data) {
    const vars = data.head.vars;
    const rows = data.results.bindings;
    return el("table", { class: "results" },
      el("thead", {}, el("tr", {}, vars.map((v) => el("th", { scope: "col" }, v)))),
      el("tbody", {}, rows.slice(0, SHOWN_ROWS).map((row) => el("tr", {}, vars.map((v) => termCell(row[v]))))));
  }

  async function runQuery() {
    const text = state.editor.getValue();
    const update = isUpdate(text);
    const results = $("query-results");
    $("query-error").textContent = "";
    $("query-status").textContent = update ? "Applying the update…" : "Running…";
    results.replaceChildren();
    state.last = null;
    $("download-csv").disabled = $("download-json").disabled = true;
    const headers = {
      "Content-Type": "application/x-www-form-urlencoded",
      Accept: "application/sparql-results+json, text/turtle;q=0.9",
      "X-Kgqa-Csrf": CSRF,
    };
    const token = $("update-token").value;
    if (update && token) headers.Authorization = `Bearer ${token}`;
    const started = performance.now();
    try {
      const response = await fetch("/sparql", { method: "POST", headers, body: new URLSearchParams({ [update ? "update" : "query"]: text }) });
      const ms = Math.round(performance.now() - started);
      if (!response.ok) {
        $("query-status").textContent = "";
        $("query-error").textContent = await errorOf(response);
        return;
      }
      if (update) {
        $("query-status").textContent = `Update applied (${ms} ms).`;
        return;
      }
      const type = response.headers.get("content-type") || "";
      const body = await response.text();
      const capped = response.headers.get("x-kgqa-truncated") === "true" ? ` (capped at the server's limit of ${state.info.limit} rows)` : "";
      state.last = { query: text, body, type };
      $("download-json").disabled = false;
      $("download-csv").disabled = !type.includes("sparql-results");
      if (type.includes("sparql-results+json")) {
        const data = JSON.parse(body);
        if ("boolean" in data) {
          results.append(el("p", { class: "ask-result" }, `ASK: ${data.boolean}`));
          $("query-status").textContent = `${ms} ms`;
        } else {
          const n = data.results.bindings.length;
          results.append(renderTable(data));
          const shown = n > SHOWN_ROWS ? `, the first ${SHOWN_ROWS} shown` : "";
          $("query-status").textContent = `${n} row${n === 1 ? "" : "s"}${capped}${shown} · ${ms} ms`;
        }
      } else {
        results.append(el("pre", { class: "graph-result" }, body));
        $("query-status").textContent = `${ms} ms${capped}`;
      }
    } catch (error) {
      $("query-status").textContent = "";
      $("query-error").textContent = oneLine(error.message);
    }
  }

  function save(blob, name) {
    const link = el("a", { href: URL.createObjectURL(blob), download: name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  async function downloadCSV() {
    if (!state.last) return;
    const response = await fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "text/csv", "X-Kgqa-Csrf": CSRF },
      body: new URLSearchParams({ query: state.last.query }),
    });
    if (!response.ok) { $("query-error").textContent = await errorOf(response); return; }
    save(await response.blob(), "results.csv");
  }

  function downloadJSON() {
    if (!state.last) return;
    const graph = !state.last.type.includes("json");
    save(new Blob([state.last.body], { type: state.last.type }), graph ? "results.ttl" : "results.json");
  }

  function setUpEditor() {
    const names = Object.keys(state.info.prefixes);
    const start = `${prefixLines(names)}\n\nSELECT ?entity ?label WHERE {\n  ?entity rdfs:label ?label .\n}\nLIMIT 20\n`;
    state.editor = CodeMirror.fromTextArea($("sparql"), {
      mode: "sparql", lineNumbers: true, lineWrapping: true, indentUnit: 2,
      // Tab moves the focus on (no keyboard trap); Ctrl+Enter runs.
      extraKeys: { Tab: false, "Shift-Tab": false, "Ctrl-Enter": runQuery, "Cmd-Enter": runQuery },
    });
    state.editor.setValue(start);
    state.editor.getInputField().setAttribute("aria-label", "SPARQL query (Ctrl+Enter runs it)");
    $("query-mode").textContent = state.info.allow_updates
      ? "This server accepts SPARQL updates with its update token."
      : "This server is read-only: queries run, updates are refused.";
    $("token-field").hidden = !state.info.allow_updates;
  }

  $("run-query").addEventListener("click", runQuery);
  $("add-prefixes").addEventListener("click", addMissingPrefixes);
  $("download-csv").addEventListener("click", downloadCSV);
  $("download-json").addEventListener("click", downloadJSON);

  // -- Browse ---------------------------------------------------------------------------------
  const SVG = "http://www.w3.org/2000/svg";

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function clip(text, n) {
    return text.length > n ? text.slice(0, n - 1) + "…" : text;
  }

  function drawNeighbourhood(drawing) {
    const size = drawing.size;
    const root = svg("svg", { viewBox: `0 0 ${size} ${size}`, class: "neighbourhood", role: "img", "aria-label": "Neighbourhood of the entity" });
    const defs = svg("defs", {});
    const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "28", refY: "5", markerWidth: "6", markerHeight: "6", orient: "auto-start-reverse" });
    marker.append(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrow" }));
    defs.append(marker);
    root.append(defs);
    for (const edge of drawing.edges) {
      const a = drawing.nodes[edge.source];
      const b = drawing.nodes[edge.target];
      const line = svg("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: `edge edge-${edge.kind}`, "marker-end": "url(#arrow)" });
      line.append(svg("title", {}, edge.label));
      root.append(line);
      root.append(svg("text", { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 - 3, class: "edge-label" }, clip(edge.label, 18)));
    }
    for (const node of drawing.nodes) {
      const group = svg(node.centre ? "g" : "a", node.centre ? {} : { href: entityHref(node.iri) });
      group.append(svg("circle", { cx: node.x, cy: node.y, r: node.centre ? 16 : 11, class: node.centre ? "node centre" : "node" }));
      group.append(svg("text", { x: node.x, y: node.y + (node.centre ? 30 : 24), class: "node-label" }, clip(node.label, 22)));
      group.append(svg("title", {}, node.label));
      root.append(group);
    }
    return root;
  }

  function renderStatement(st) {
    return el("div", { class: "statement" },
      el("span", { class: "muted small" }, st.title || st.document, st.extractor ? ` · ${st.extractor}` : "",
        typeof st.confidence === "number" ? ` · confidence ${percent(st.confidence)}` : "", st.location ? ` · ${st.location}` : ""),
      st.sentence ? highlighted(st.sentence, st.highlight) : null);
  }

  function renderFactGroup(group, direction) {
    return el("section", { class: "property" },
      el("h4", {}, direction === "incoming" ? `${group.label} (of)` : group.label, " ", el("span", { class: "muted small" }, compact(group.property))),
      el("ul", {}, group.facts.map((fact) => el("li", {},
        fact.iri ? entityLink(fact.iri, fact.label) : el("span", { class: "literal" }, fact.value),
        " ", badge(fact.kind),
        fact.prediction ? el("span", { class: "muted small" }, ` confidence ${percent(fact.prediction.confidence)}`,
          fact.prediction.rule ? ` · rule ${fact.prediction.rule}` : "") : null,
        fact.provenance.map(renderStatement)))));
  }

  async function showEntity(iri) {
    const box = $("entity");
    box.replaceChildren(el("p", { class: "muted" }, "Loading…"));
    try {
      const data = await getJSON("GET", `/web/api/entity?${new URLSearchParams({ iri })}`);
      document.title = `${data.label} · kgqa`;
      box.replaceChildren(...[
        el("h2", { class: "entity-label" }, data.label),
        el("p", {}, el("code", { class: "iri" }, data.iri)),
        data.known ? null : el("p", { class: "error" }, "Nothing in the graph mentions this IRI."),
        el("p", { class: "types" }, data.types.length ? "Types: " : "", data.types.map((t) => badge("type", t.label))),
        data.neighbourhood.nodes.length > 1 ? drawNeighbourhood(data.neighbourhood) : null,
        data.truncated ? el("p", { class: "muted" }, "Only the first facts are shown.") : null,
        el("div", { class: "directions" },
          el("div", {}, el("h3", {}, "Outgoing"), data.outgoing.map((g) => renderFactGroup(g, "outgoing"))),
          el("div", {}, el("h3", {}, "Incoming"), data.incoming.map((g) => renderFactGroup(g, "incoming")))),
      ].filter((part) => part !== null));
    } catch (error) {
      box.replaceChildren(el("p", { class: "error" }, error.message));
    }
  }

  async function showDocuments() {
    try {
      const docs = await getJSON("GET", "/web/api/documents");
      if (!docs.length) { $("documents").replaceChildren(el("p", { class: "muted" }, "No ingested documents (kgqa ingest DIR).")); return; }
      const head = ["document", "type", "status", "triples", "candidates", "ingested"];
      $("documents").replaceChildren(el("table", { class: "documents" },
        el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, docs.map((d) => el("tr", { class: `status-${d.status}` },
          el("td", { title: d.path }, shortName(d.path || d.id), d.title ? el("span", { class: "muted small" }, ` ${d.title}`) : null),
          el("td", {}, d.type || ""),
          el("td", { title: d.error || "" }, d.status), el("td", {}, d.triples ?? ""), el("td", {}, d.candidates ?? ""),
          el("td", {}, d.ingested_at || ""))))));
    } catch (error) {
      $("documents").replaceChildren(el("p", { class: "error" }, error.message));
    }
  }

  $("search-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("search").value.trim();
    $("browse-error").textContent = "";
    if (/^[a-z][\w+.-]*:\S+$/i.test(text) && !/\s/.test(text)) { location.assign(entityHref(text)); return; }
    try {
      const found = await getJSON("GET", `/web/api/search?${new URLSearchParams({ q: text })}`);
      $("search-results").replaceChildren(found.length
        ? el("ul", { class: "search-results" }, found.map((f) => el("li", {}, entityLink(f.iri, f.label))))
        : el("p", { class: "muted" }, "No entity has that in its name."));
    } catch (error) {
      $("browse-error").textContent = error.message;
    }
  });

  // -- start ---------------------------------------------------------------------------------
  async function start() {
    const entity = location.pathname === "/entity" ? new URLSearchParams(location.search).get("iri") : null;
    showTab(entity ? "browse" : TABS.includes(location.hash.slice(1)) ? location.hash.slice(1) : "ask");
    try {
      state.info = await getJSON("GET", "/web/api/info");
    } catch (error) {
      $("query-error").textContent = error.message;
    }
    setUpEditor();
    const work = [loadFeedback().catch(() => null), showDocuments()];
    if (entity) work.push(showEntity(entity));
    await Promise.all(work);
    performance.mark("kgqa-ready");
    document.body.dataset.ready = "true";
  }

  start();
})();
