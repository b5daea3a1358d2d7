/* kg viz: the page's behaviour. Reads the graph from the #kg-data JSON block and draws it with
 * vis-network. Every string that comes from articles reaches the page through textContent or a
 * checked href, never through innerHTML, so markup in a name or a sentence shows as text. */
(function () {
  "use strict";

  var timings = { start: performance.now() };
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  timings.parsed = performance.now();

  var typeInfo = {};
  data.types.forEach(function (t) { typeInfo[t.type] = t; });
  var predicateInfo = {};
  data.predicates.forEach(function (p) { predicateInfo[p.predicate] = p; });

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var hiddenTypes = new Set();
  var hiddenPredicates = new Set();
  var nodeView = new vis.DataView(nodes, {
    filter: function (n) { return !hiddenTypes.has(n.kgType); }
  });
  var edgeView = new vis.DataView(edges, {
    filter: function (e) { return !hiddenPredicates.has(e.predicate); }
  });
  timings.dataSets = performance.now();
  var container = document.getElementById("kg-network");
  var network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, data.options);
  timings.network = performance.now();

  /* ------------------------------------------------------------ DOM helpers */

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
  }

  function typeLabel(type) {
    var info = typeInfo[type];
    return info ? info.label + " " + type : type;
  }

  function predicateLabel(predicate) {
    var info = predicateInfo[predicate];
    return info ? info.label : predicate;
  }

  function fmt(x, digits) {
    return typeof x === "number" ? x.toFixed(digits) : "";
  }

  function dateSpan(first, last) {
    if (!first) { return ""; }
    return first === last ? first : first + " … " + last;
  }

  function definitionList(pairs) {
    var dl = el("dl");
    pairs.forEach(function (pair) {
      if (pair[1] === "" || pair[1] === null || pair[1] === undefined) { return; }
      dl.appendChild(el("dt", null, pair[0]));
      dl.appendChild(el("dd", null, pair[1]));
    });
    return dl;
  }

  function kindBadge(text, colour) {
    var badge = el("span", "kg-kind", text);
    badge.style.background = colour;
    return badge;
  }

  function indicatorText(i) {
    var comparator = i.comparator && i.comparator !== "=" ? i.comparator + " " : "";
    var year = i.year ? i.year + "年 " : "";
    return year + i.name + " " + comparator + i.value + " " + i.unit +
      (i.kind === "target" ? "（目标 target）" : "");
  }

  function nodeCard(node, full) {
    var card = el("div", "kg-card");
    var info = typeInfo[node.kgType] || { colour: "#aaa" };
    var h = el("h3");
    h.appendChild(kindBadge(typeLabel(node.kgType), info.colour));
    h.appendChild(document.createTextNode(node.label));
    card.appendChild(h);
    card.appendChild(definitionList([
      ["别名 aliases", (node.aliases || []).join("、")],
      ["文章 articles", node.articles + (node.firstDate ? "（" + dateSpan(node.firstDate, node.lastDate) + "）" : "")],
      ["度 degree", node.degree],
      ["PageRank", fmt(node.pagerank, 4)],
      ["介数 betweenness", fmt(node.betweenness, 4)],
      ["社区 community", node.community]
    ]));
    var indicators = node.indicators || [];
    if (indicators.length) {
      card.appendChild(el("div", "kg-muted", "指标 indicators"));
      var list = el("ul", "kg-relations");
      indicators.slice(0, full ? indicators.length : 3).forEach(function (i) {
        list.appendChild(el("li", null, indicatorText(i)));
      });
      card.appendChild(list);
    }
    return card;
  }

  function evidenceList(edge, limit) {
    var list = el("ul", "kg-evidence");
    var items = edge.evidence || [];
    items.slice(0, limit).forEach(function (item) {
      var li = el("li");
      li.appendChild(el("q", null, item.sentence));
      var source = el("span", "kg-source");
      var href = safeUrl(item.url);
      var title = item.title || item.article || "";
      if (href) {
        var a = el("a", null, title);
        a.href = href;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        source.appendChild(a);
      } else {
        source.appendChild(document.createTextNode(title));
      }
      if (item.date) { source.appendChild(document.createTextNode(" · " + item.date)); }
      li.appendChild(source);
      list.appendChild(li);
    });
    if (!items.length) {
      list.appendChild(el("li", "kg-muted", "地名表事实，无证据句 (from the gazetteer, no sentence)"));
    }
    var more = items.length - limit + (edge.moreEvidence || 0);
    if (more > 0) {
      list.appendChild(el("li", "kg-muted", "另有 " + more + " 句 (" + more + " more)"));
    }
    return list;
  }

  function edgeCard(edge, full) {
    var card = el("div", "kg-card");
    var from = nodes.get(edge.from), to = nodes.get(edge.to);
    var info = predicateInfo[edge.predicate] || { colour: "#999" };
    var h = el("h3");
    h.appendChild(document.createTextNode(from ? from.label : "?"));
    h.appendChild(document.createTextNode(" → "));
    h.appendChild(kindBadge(predicateLabel(edge.predicate), info.colour));
    h.appendChild(document.createTextNode(" → " + (to ? to.label : "?")));
    card.appendChild(h);
    card.appendChild(definitionList([
      ["关系 relation", predicateLabel(edge.predicate) + " (" + edge.predicate + ")"],
      ["职务 role", (edge.roles || []).join("、")],
      ["文章 articles", edge.articles + (edge.firstDate ? "（" + dateSpan(edge.firstDate, edge.lastDate) + "）" : "")]
    ]));
    card.appendChild(evidenceList(edge, full ? 1e9 : 3));
    return card;
  }

  /* ------------------------------------------------------------ tooltip */

  var tooltip = document.getElementById("kg-tooltip");

  function showTooltip(card, pointer) {
    tooltip.replaceChildren(card);
    tooltip.hidden = false;
    var box = container.getBoundingClientRect();
    var x = box.left + (pointer ? pointer.x : box.width / 2) + 14;
    var y = box.top + (pointer ? pointer.y : box.height / 2) + 14;
    var width = tooltip.offsetWidth, height = tooltip.offsetHeight;
    if (x + width > window.innerWidth - 4) { x = Math.max(4, x - width - 28); }
    if (y + height > window.innerHeight - 4) { y = Math.max(4, window.innerHeight - height - 4); }
    tooltip.style.left = x + "px";
    tooltip.style.top = y + "px";
  }

  function hideTooltip() { tooltip.hidden = true; }

  network.on("hoverNode", function (params) {
    var node = nodes.get(params.node);
    if (node) { showTooltip(nodeCard(node, false), params.pointer && params.pointer.DOM); }
  });
  network.on("hoverEdge", function (params) {
    var edge = edges.get(params.edge);
    if (edge) { showTooltip(edgeCard(edge, false), params.pointer && params.pointer.DOM); }
  });
  ["blurNode", "blurEdge", "dragStart", "zoom"].forEach(function (name) {
    network.on(name, hideTooltip);
  });
  container.addEventListener("mouseleave", hideTooltip);

  /* ------------------------------------------------------------ details and highlight */

  var details = document.getElementById("kg-details-body");

  /* The selected entity's neighbourhood is highlighted by veiling the drawing and drawing the
   * neighbourhood again on top, once per frame: updating the colour of every other node and
   * edge in the DataSets took seconds on a 5,000-node graph. */
  var focus = null;

  function requestRedraw() {
    // coalesced with the redraw that a selection or a camera move asks for (one frame, not two)
    network.body.emitter.emit("_requestRedraw");
  }

  function highlight(nodeId) {
    var keepNodes = network.getConnectedNodes(nodeId);
    keepNodes.push(nodeId);
    focus = { nodes: keepNodes, edges: network.getConnectedEdges(nodeId) };
    requestRedraw();
  }

  function clearHighlight() {
    if (focus === null) { return; }
    focus = null;
    requestRedraw();
  }

  network.on("afterDrawing", function (ctx) {
    if (focus === null) { return; }
    var body = network.body;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "rgba(255, 255, 255, 0.8)";
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    ctx.restore();
    var shown = focus.edges.filter(function (id) {
      return body.edges[id] && body.edges[id].connected && edgeView.get(id) !== null;
    });
    shown.forEach(function (id) { body.edges[id].draw(ctx); });
    shown.forEach(function (id) { body.edges[id].drawArrows(ctx); });
    var labels = [];
    focus.nodes.forEach(function (id) {
      if (body.nodes[id] && nodeView.get(id) !== null) {
        var drawn = body.nodes[id].draw(ctx);
        if (drawn && drawn.drawExternalLabel) { labels.push(drawn.drawExternalLabel); }
      }
    });
    labels.forEach(function (drawLabel) { drawLabel(); });
  });

  function showNodeDetails(nodeId) {
    var node = nodes.get(nodeId);
    if (!node) { return; }
    var body = [nodeCard(node, true)];
    var list = el("ul", "kg-relations");
    network.getConnectedEdges(nodeId).forEach(function (edgeId) {
      var edge = edges.get(edgeId);
      if (!edge) { return; }
      var outgoing = edge.from === nodeId;
      var other = nodes.get(outgoing ? edge.to : edge.from);
      var li = el("li");
      li.appendChild(document.createTextNode(outgoing ? "→ " : "← "));
      li.appendChild(kindBadge(predicateLabel(edge.predicate),
        (predicateInfo[edge.predicate] || { colour: "#999" }).colour));
      var go = el("button", null, other ? other.label : "?");
      go.type = "button";
      go.addEventListener("click", function () { showEdge(edge.id); });
      li.appendChild(go);
      list.appendChild(li);
    });
    if (list.childNodes.length) {
      body.push(el("h2", null, "关系 relations（点击读证据 click for evidence）"));
      body.push(list);
    }
    details.replaceChildren.apply(details, body);
  }

  function showEdge(edgeId) {
    var edge = edges.get(edgeId);
    if (edge) { details.replaceChildren(edgeCard(edge, true)); }
  }

  network.on("click", function (params) {
    hideTooltip();
    if (params.nodes.length) {
      highlight(params.nodes[0]);
      showNodeDetails(params.nodes[0]);
    } else if (params.edges.length) {
      clearHighlight();
      showEdge(params.edges[0]);
    } else {
      clearHighlight();
    }
  });

  /* ------------------------------------------------------------ filters */

  function shapeSwatch(shape, colour) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "-10 -10 20 20");
    svg.setAttribute("class", "kg-swatch");
    var points = {
      star: "0,-9 2.6,-3 9,-2.8 4,1.6 5.6,8 0,4.5 -5.6,8 -4,1.6 -9,-2.8 -2.6,-3",
      triangle: "0,-9 9,7 -9,7",
      triangleDown: "0,9 9,-7 -9,-7",
      diamond: "0,-9 9,0 0,9 -9,0",
      hexagon: "8,0 4,7 -4,7 -8,0 -4,-7 4,-7",
      square: "-8,-8 8,-8 8,8 -8,8"
    }[shape];
    var mark;
    if (points) {
      mark = document.createElementNS(ns, "polygon");
      mark.setAttribute("points", points);
    } else {
      mark = document.createElementNS(ns, "circle");
      mark.setAttribute("r", "8");
    }
    mark.setAttribute("fill", colour);
    svg.appendChild(mark);
    return svg;
  }

  function filterRow(label, count, swatch, checked, onChange) {
    var row = el("label", "kg-filter" + (count ? "" : " kg-empty"));
    var box = el("input");
    box.type = "checkbox";
    box.checked = checked;
    box.addEventListener("change", function () { onChange(box.checked); });
    row.appendChild(box);
    row.appendChild(swatch);
    row.appendChild(el("span", null, label));
    row.appendChild(el("span", "kg-count", count));
    return { row: row, box: box };
  }

  var typeBoxes = {}, predicateBoxes = {};

  function refreshCounts() {
    var shownEdges = edgeView.get().filter(function (e) {
      return nodeView.get(e.from) && nodeView.get(e.to);
    }).length;
    document.getElementById("kg-counts").textContent =
      "节点 nodes " + nodeView.length + " / " + nodes.length +
      " · 连线 edges " + shownEdges + " / " + edges.length;
  }

  function setTypeVisible(type, visible) {
    if (visible) { hiddenTypes.delete(type); } else { hiddenTypes.add(type); }
    if (typeBoxes[type]) { typeBoxes[type].checked = visible; }
    nodeView.refresh();
    refreshCounts();
  }

  function setPredicateVisible(predicate, visible) {
    if (visible) { hiddenPredicates.delete(predicate); } else { hiddenPredicates.add(predicate); }
    if (predicateBoxes[predicate]) { predicateBoxes[predicate].checked = visible; }
    edgeView.refresh();
    refreshCounts();
  }

  var typeList = document.getElementById("kg-types");
  data.types.forEach(function (t) {
    var item = filterRow(t.label + " " + t.type, t.count, shapeSwatch(t.shape, t.colour), true,
      function (on) { setTypeVisible(t.type, on); });
    item.row.dataset.type = t.type;
    typeBoxes[t.type] = item.box;
    typeList.appendChild(item.row);
  });
  var predicateList = document.getElementById("kg-predicates");
  data.predicates.forEach(function (p) {
    var line = el("span", "kg-line");
    line.style.background = p.colour;
    var item = filterRow(p.label + " " + p.predicate, p.count, line, true,
      function (on) { setPredicateVisible(p.predicate, on); });
    item.row.dataset.predicate = p.predicate;
    predicateBoxes[p.predicate] = item.box;
    predicateList.appendChild(item.row);
  });

  function setAll(kind, visible) {
    if (kind === "types") {
      data.types.forEach(function (t) {
        if (visible) { hiddenTypes.delete(t.type); } else { hiddenTypes.add(t.type); }
        typeBoxes[t.type].checked = visible;
      });
      nodeView.refresh();
    } else {
      data.predicates.forEach(function (p) {
        if (visible) { hiddenPredicates.delete(p.predicate); } else { hiddenPredicates.add(p.predicate); }
        predicateBoxes[p.predicate].checked = visible;
      });
      edgeView.refresh();
    }
    refreshCounts();
  }
  document.getElementById("kg-types-all").addEventListener("click", function () { setAll("types", true); });
  document.getElementById("kg-types-none").addEventListener("click", function () { setAll("types", false); });
  document.getElementById("kg-predicates-all").addEventListener("click", function () { setAll("predicates", true); });
  document.getElementById("kg-predicates-none").addEventListener("click", function () { setAll("predicates", false); });

  /* ------------------------------------------------------------ search */

  function searchKey(text) {
    return String(text).replace(/[\s"'“”‘’《》「」]/g, "").toLowerCase();
  }

  var names = document.getElementById("kg-names");
  var byName = new Map();
  data.nodes.forEach(function (n) {
    [n.label].concat(n.aliases || []).forEach(function (name, i) {
      var key = searchKey(name);
      if (!byName.has(key)) { byName.set(key, n.id); }
      var option = el("option");
      option.value = name;
      if (i > 0) { option.label = name + " → " + n.label; }
      names.appendChild(option);
    });
  });

  function findNode(text) {
    var key = searchKey(text);
    if (!key) { return null; }
    if (byName.has(key)) { return byName.get(key); }
    var best = null;
    nodes.forEach(function (n) {
      var hit = [n.label].concat(n.aliases || []).some(function (name) {
        return searchKey(name).indexOf(key) >= 0;
      });
      if (hit && (best === null || n.pagerank > best.pagerank)) { best = n; }
    });
    return best ? best.id : null;
  }

  function selectNode(nodeId) {
    var node = nodes.get(nodeId);
    if (!node) { return false; }
    if (hiddenTypes.has(node.kgType)) { setTypeVisible(node.kgType, true); }
    network.selectNodes([nodeId]);
    highlight(nodeId);
    showNodeDetails(nodeId);
    network.focus(nodeId, { scale: Math.max(network.getScale(), 1.0),
      animation: data.large ? false : { duration: 400 } });
    return true;
  }

  var message = document.getElementById("kg-search-message");
  document.getElementById("kg-search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = document.getElementById("kg-search").value;
    var nodeId = findNode(text);
    message.textContent = nodeId === null ? "未找到 not found: " + text : "";
    if (nodeId !== null) { selectNode(nodeId); }
  });

  /* ------------------------------------------------------------ ready */

  var api = {
    network: network, nodes: nodes, edges: edges, nodeView: nodeView, edgeView: edgeView,
    ready: false, readyAt: null, timings: timings,
    setTypeVisible: setTypeVisible, setPredicateVisible: setPredicateVisible,
    findNode: findNode, selectNode: selectNode, showEdge: showEdge,
    highlighted: function () { return focus === null ? [] : focus.nodes.slice(); }
  };
  window.kg = api;

  function markReady() {
    if (api.ready) { return; }
    api.ready = true;
    api.readyAt = performance.now();
    timings.ready = api.readyAt;
    document.documentElement.setAttribute("data-kg-ready", "1");
  }
  refreshCounts();
  timings.controls = performance.now();
  if (data.options.physics && data.options.physics.enabled) {
    network.once("stabilizationIterationsDone", function () {
      network.once("afterDrawing", markReady);
      network.redraw();
    });
  } else {
    network.once("afterDrawing", markReady);
  }
}());
