// The explorer: draws the graph that tinygrad_nn laid out and steps through forward, then
// backward, one node at a time. The data (nodes with positions, edges, Module groups, steps)
// is the JSON in <script id="explorer-data">; nothing is fetched.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  // Numbers as the Python views write them: 4 significant digits, no trailing zeros.
  function format(v) {
    if (!isFinite(v)) return String(v);
    if (v === 0) return "0";
    var text = Math.abs(v) >= 1e5 || Math.abs(v) < 1e-4 ? v.toExponential(3) : v.toPrecision(4);
    if (text.indexOf("e") >= 0) {
      var parts = text.split("e");
      return parts[0].replace(/\.?0+$/, "") + "e" + parts[1];
    }
    return text.indexOf(".") >= 0 ? text.replace(/\.?0+$/, "") : text;
  }

  function element(tag, attrs, parent) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }

  function html(tag, className, text, parent) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }

  // A tensor as a small table: a vector as one row, a matrix as rows, more axes flattened;
  // each number in a <td class="num" data-value> so tests can read what the page shows.
  function tensorTable(t, parent, role) {
    var box = html("div", "tensor-box", null, parent);
    box.setAttribute("data-role", role);
    if (!t) { html("span", "shape", "(no value)", box); return box; }
    var shape = t.shape.length ? "(" + t.shape.join(", ") + (t.shape.length === 1 ? ",)" : ")") : "()";
    var shown = t.values.length < t.size ? ", first " + t.values.length + " of " + t.size : "";
    html("div", "shape", "shape " + shape + shown + ", |·| = " + format(t.norm), box);
    var columns = t.shape.length >= 2 ? t.shape[t.shape.length - 1] : Math.max(t.values.length, 1);
    var table = html("table", "tensor", null, box);
    var row = null;
    t.values.forEach(function (v, i) {
      if (i % columns === 0) row = html("tr", null, null, table);
      var cell = html("td", "num", format(v), row);
      cell.setAttribute("data-value", String(v));
    });
    return box;
  }

  function Explorer(root, data) {
    this.root = root;
    this.data = data;
    this.step = 0;
    this.byId = {};
    this.collapsed = {};
    var self = this;
    data.nodes.forEach(function (n) { self.byId[n.id] = n; });
    data.groups.forEach(function (g) { self.collapsed[g.id] = data.collapse; });
    this.build();
    this.show(0);
  }

  Explorer.prototype.build = function () {
    var self = this, d = this.data;
    var header = html("header", null, null, this.root);
    html("h1", null, d.title, header);
    [["first", "« first", 0], ["prev", "◀ back", -1], ["next", "next ▶", 1], ["last", "last »", 2]].forEach(function (b) {
      var button = html("button", null, b[1], header);
      button.id = b[0];
      button.addEventListener("click", function () { self.move(b[0]); });
    });
    this.slider = html("input", null, null, header);
    this.slider.type = "range"; this.slider.min = 0; this.slider.max = d.steps.length - 1; this.slider.value = 0;
    this.slider.id = "slider";
    this.slider.addEventListener("input", function () { self.show(parseInt(self.slider.value, 10)); });
    this.position = html("span", null, "", header);
    this.position.id = "position";
    html("span", "shape", "keys: ← → Home End", header);
    if (d.note) html("div", "note", d.note, this.root);
    if (d.groups.length) this.groupBar = html("div", "groups", "Modules (click to collapse or expand): ", this.root);
    var main = html("main", null, null, this.root);
    var graph = html("div", null, null, main);
    graph.id = "graph";
    this.panel = html("div", null, null, main);
    this.panel.id = "panel";
    this.svg = element("svg", {width: d.width, height: d.height, viewBox: "0 0 " + d.width + " " + d.height,
                               "font-family": "Helvetica, Arial, sans-serif", "font-size": 11}, graph);
    var defs = element("defs", {}, this.svg);
    var marker = element("marker", {id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 8,
                                    markerHeight: 8, markerUnits: "userSpaceOnUse",
                                    orient: "auto-start-reverse"}, defs);
    element("path", {d: "M0,0 L10,5 L0,10 z", fill: "#777"}, marker);
    // fit the panel's width when that keeps the text readable; else scroll
    var scale = graph.clientWidth / d.width;
    if (scale < 1 && scale > 0.6) {
      this.svg.setAttribute("width", graph.clientWidth - 4);
      this.svg.setAttribute("height", d.height * scale);
    }
    this.edgeLayer = element("g", {}, this.svg);
    this.nodeLayer = element("g", {}, this.svg);
    this.groupLayer = element("g", {}, this.svg);
    this.nodeElements = {};
    d.nodes.forEach(function (n) {
      var g = element("g", {"class": "node " + n.look.join(" "), "data-id": n.id}, self.nodeLayer);
      element("rect", {x: n.x, y: n.y, width: n.w, height: n.h, rx: n.kind === "op" ? n.h / 2 : 5}, g);
      n.lines.forEach(function (line, i) {
        var t = element("text", {x: n.x + n.w / 2, y: n.y + 16 + i * 14, "text-anchor": "middle"}, g);
        if (i === 0) t.setAttribute("font-weight", "bold");
        // a tensor's gradient shows once backward has reached it
        if (n.kind === "tensor" && line.indexOf("grad ") === 0) t.setAttribute("class", "gradtext");
        t.textContent = line;
      });
      self.nodeElements[n.id] = g;
    });
    this.groupElements = {};
    d.groups.forEach(function (grp) { self.buildGroup(grp); });
    this.drawEdges();
    document.addEventListener("keydown", function (e) {
      var keys = {ArrowRight: "next", ArrowDown: "next", ArrowLeft: "prev", ArrowUp: "prev", Home: "first", End: "last"};
      if (keys[e.key]) { e.preventDefault(); self.move(keys[e.key]); }
    });
  };

  // A Module collapsed is one box in the place of its output; the bar above the graph lists
  // the Modules, and a click on a name (or on a collapsed box) flips it.
  Explorer.prototype.buildGroup = function (grp) {
    var self = this, n = this.byId[grp.anchor];
    var button = html("button", "group-button", grp.label, this.groupBar);
    button.setAttribute("data-group", grp.id);
    button.addEventListener("click", function () { self.toggle(grp.id); });
    var box = element("g", {"class": "group-box", "data-group": grp.id}, this.groupLayer);
    var h = Math.max(n.h, 44), w = Math.max(n.w, 110, (grp.label.length + 2) * 6.6 + 14);
    element("rect", {x: n.x, y: n.y, width: w, height: h, rx: 8}, box);
    var text = element("text", {x: n.x + w / 2, y: n.y + 17, "text-anchor": "middle", "font-weight": "bold"}, box);
    text.textContent = "+ " + grp.label;
    var more = element("text", {x: n.x + w / 2, y: n.y + 33, "text-anchor": "middle"}, box);
    more.textContent = "(" + grp.members.length + " boxes)";
    box.addEventListener("click", function () { self.toggle(grp.id); });
    this.groupElements[grp.id] = {box: box, button: button, bounds: {x: n.x, y: n.y, w: w, h: h}};
    this.applyGroup(grp);
  };

  Explorer.prototype.applyGroup = function (grp) {
    var shut = this.collapsed[grp.id], self = this, parts = this.groupElements[grp.id];
    parts.box.classList.toggle("hidden", !shut);
    parts.button.classList.toggle("collapsed", shut);
    grp.members.forEach(function (id) { self.nodeElements[id].classList.toggle("hidden", shut); });
  };

  Explorer.prototype.toggle = function (id) {
    this.collapsed[id] = !this.collapsed[id];
    var grp = this.data.groups.filter(function (g) { return g.id === id; })[0];
    this.applyGroup(grp);
    this.drawEdges();
    this.show(this.step);
  };

  // Where an edge ends: the node, or the box of the collapsed group that holds it.
  Explorer.prototype.anchor = function (id) {
    var n = this.byId[id];
    if (n.group && this.collapsed[n.group]) {
      var b = this.groupElements[n.group].bounds;
      return {x: b.x, y: b.y, w: b.w, h: b.h, group: n.group};
    }
    return {x: n.x, y: n.y, w: n.w, h: n.h, group: null};
  };

  Explorer.prototype.drawEdges = function () {
    var self = this;
    while (this.edgeLayer.firstChild) this.edgeLayer.removeChild(this.edgeLayer.firstChild);
    this.edgeElements = [];
    this.data.edges.forEach(function (e) {
      var a = self.anchor(e.from), b = self.anchor(e.to);
      if (a.group && a.group === b.group) return;   // inside one collapsed box
      var ax = a.x + a.w, ay = a.y + a.h / 2, bx = b.x, by = b.y + b.h / 2;
      var bend = Math.max(20, (bx - ax) / 2);
      var path = element("path", {"class": "edge", "marker-end": "url(#arrow)",
                                  d: "M" + ax + "," + ay + " C" + (ax + bend) + "," + ay + " " + (bx - bend) + "," + by + " " + bx + "," + by},
                         self.edgeLayer);
      path.setAttribute("data-from", e.from);
      path.setAttribute("data-to", e.to);
      if (e.label) {
        var t = element("text", {x: (ax + bx) / 2, y: (ay + by) / 2 - 3, "text-anchor": "middle", "font-size": 9, fill: "#555"}, self.edgeLayer);
        t.textContent = e.label;
      }
      self.edgeElements.push(path);
    });
  };

  Explorer.prototype.move = function (where) {
    var last = this.data.steps.length - 1;
    var to = {first: 0, prev: this.step - 1, next: this.step + 1, last: last}[where];
    this.show(Math.max(0, Math.min(last, to)));
  };

  Explorer.prototype.mark = function (id, cls) {
    var n = this.byId[id];
    if (!n) return;
    if (n.group && this.collapsed[n.group]) this.groupElements[n.group].box.classList.add(cls);
    this.nodeElements[id].classList.add(cls);
  };

  Explorer.prototype.show = function (index) {
    var self = this, d = this.data, step = d.steps[index];
    this.step = index;
    this.slider.value = index;
    this.position.textContent = "step " + (index + 1) + " of " + d.steps.length + " (" + step.phase + ")";
    // what earlier steps did: values computed, gradients arrived
    Object.keys(this.nodeElements).forEach(function (id) {
      ["current", "input", "done", "has-grad"].forEach(function (c) { self.nodeElements[id].classList.remove(c); });
    });
    Object.keys(this.groupElements).forEach(function (id) { self.groupElements[id].box.classList.remove("current"); });
    d.steps.slice(0, index).forEach(function (s) {
      self.mark(s.out, s.phase === "forward" ? "done" : "has-grad");
      if (s.op) self.mark(s.op, s.phase === "forward" ? "done" : "has-grad");
    });
    if (step.phase === "backward") this.mark(step.out, "has-grad");
    this.mark(step.out, "current");
    if (step.op) this.mark(step.op, "current");
    var neighbours = step.phase === "forward" ? step.inputs : step.sent;
    neighbours.forEach(function (n) { self.mark(n.node, "input"); });
    this.edgeElements.forEach(function (p) {
      var to = p.getAttribute("data-to"), from = p.getAttribute("data-from");
      var active = step.op && (to === step.op || (from === step.op && to === step.out));
      neighbours.forEach(function (n) { if (from === n.node && to === step.op) active = true; });
      p.classList.toggle("active", !!active);
    });
    this.drawPanel(step);
    var at = this.byId[step.op || step.out];
    var here = at.group && this.collapsed[at.group] ? this.groupElements[at.group].box : this.nodeElements[at.id];
    if (here.scrollIntoView) here.scrollIntoView({block: "nearest", inline: "center"});
  };

  Explorer.prototype.drawPanel = function (step) {
    var p = this.panel;
    while (p.firstChild) p.removeChild(p.firstChild);
    var title = html("h2", "phase-" + step.phase, (step.phase === "forward" ? "forward: " : "backward: ") + step.title, p);
    title.id = "step-title";
    if (step.code) {
      html("h3", null, "made by", p);
      html("div", "code", step.code, p);
    } else if (step.op) {
      html("div", "shape", "(build the graph inside `with viz.record():` to see the line that made it)", p);
    }
    if (step.phase === "forward") {
      step.inputs.forEach(function (inp) {
        html("h3", null, "input " + inp.name + " = " + inp.label, p);
        tensorTable(inp.value, p, "input");
      });
      html("h3", null, "value of " + step.out + " (" + step.name + ")", p);
      tensorTable(step.value, p, "value");
      return;
    }
    html("h3", null, "value", p);
    tensorTable(step.value, p, "value");
    html("h3", null, "gradient arriving: dL/d(this) = dout", p);
    tensorTable(step.grad, p, "grad");
    if (step.by_hand) {
      html("h3", null, "your backprop by hand", p);
      tensorTable(step.by_hand, p, "by-hand");
      var verdict = step.by_hand.agrees ? "agrees with the engine" : "DIFFERS from the engine";
      html("div", step.by_hand.agrees ? "agree" : "differ",
           verdict + " (largest difference " + format(step.by_hand.difference) + ")", p).id = "by-hand-verdict";
    }
    if (step.rule) {
      html("h3", null, "local derivative rule", p);
      html("div", "rule", step.rule, p).id = "rule";
      html("h3", null, "with the numbers", p);
      html("div", "numbers", step.numbers, p).id = "numbers";
    }
    step.sent.forEach(function (s) {
      html("h3", null, "sent to " + s.name + " (" + s.label + "): local derivative × dout", p);
      tensorTable(s.grad, p, "sent");
    });
  };

  window.TinygradExplorer = {format: format, Explorer: Explorer, tensorTable: tensorTable};
  var source = document.getElementById("explorer-data");
  if (source) window.explorer = new Explorer(document.getElementById("explorer"), JSON.parse(source.textContent));
})();
